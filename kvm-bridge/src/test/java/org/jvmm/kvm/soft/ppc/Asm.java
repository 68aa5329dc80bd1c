package org.jvmm.kvm.soft.ppc;

/** Hand encodings of the few instructions the unit tests place in guest RAM (Power ISA v3.0). */
final class Asm {
    private Asm() {
    }

    static int d(int op, int rt, int ra, int imm) {
        return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xffff);
    }

    static int x(int rt, int ra, int rb, int xo) {
        return (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1);
    }

    static int addi(int rt, int ra, int imm) {
        return d(14, rt, ra, imm);
    }

    static int li(int rt, int imm) {
        return addi(rt, 0, imm);
    }

    /** add rt,ra,rb */
    static int add(int rt, int ra, int rb) {
        return x(rt, ra, rb, 266);
    }

    /** cmpdi cr0,ra,si */
    static int cmpdi(int ra, int si) {
        return d(11, 1, ra, si);
    }

    /** andi. ra,rs,ui */
    static int andiDot(int ra, int rs, int ui) {
        return d(28, rs, ra, ui);
    }

    /** oris ra,rs,ui */
    static int oris(int ra, int rs, int ui) {
        return d(25, rs, ra, ui);
    }

    /** bc bo,bi,offset: conditional branch relative. */
    static int bc(int bo, int bi, int offset) {
        return (16 << 26) | (bo << 21) | (bi << 16) | (offset & 0xfffc);
    }

    static int lwz(int rt, int disp, int ra) {
        return d(32, rt, ra, disp);
    }

    static int lwzu(int rt, int disp, int ra) {
        return d(33, rt, ra, disp);
    }

    static int lha(int rt, int disp, int ra) {
        return d(42, rt, ra, disp);
    }

    static int stw(int rs, int disp, int ra) {
        return d(36, rs, ra, disp);
    }

    static int std(int rs, int disp, int ra) {
        return d(62, rs, ra, disp & 0xfffc);
    }

    static int stb(int rs, int disp, int ra) {
        return d(38, rs, ra, disp);
    }

    static int lwbrx(int rt, int ra, int rb) {
        return x(rt, ra, rb, 534);
    }

    static int lwarx(int rt, int ra, int rb) {
        return x(rt, ra, rb, 20);
    }

    static int stwcx(int rs, int ra, int rb) {
        return x(rs, ra, rb, 150) | 1;
    }

    static int lmw(int rt, int disp, int ra) {
        return d(46, rt, ra, disp);
    }

    static int stmw(int rs, int disp, int ra) {
        return d(47, rs, ra, disp);
    }

    static int lfd(int frt, int disp, int ra) {
        return d(50, frt, ra, disp);
    }

    static int dcbz(int ra, int rb) {
        return x(0, ra, rb, 1014);
    }

    static int icbi(int ra, int rb) {
        return x(0, ra, rb, 982);
    }

    static int tw(int to, int ra, int rb) {
        return x(to, ra, rb, 4);
    }

    static int sc(int lev) {
        return 0x44000002 | (lev << 5);
    }

    static int b(int offset) {
        return (18 << 26) | (offset & 0x03fffffc);
    }

    static int mtspr(int spr, int rs) {
        return x(rs, spr & 0x1f, spr >>> 5, 467);
    }

    static int mfspr(int rt, int spr) {
        return x(rt, spr & 0x1f, spr >>> 5, 339);
    }

    static int mfmsr(int rt) {
        return x(rt, 0, 0, 83);
    }

    static int mtmsrd(int rs, int l) {
        return x(rs, l, 0, 178);
    }

    static final int NOP = 0x60000000;
    static final int RFID = 0x4C000024;
    static final int ISYNC = 0x4C00012C;
    static final int WAIT = 0x7C00007C;
    static final int BLR = 0x4E800020;
    /** bctr */
    static final int BCTR = 0x4E800420;
}
