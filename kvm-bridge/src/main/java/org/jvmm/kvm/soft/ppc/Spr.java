package org.jvmm.kvm.soft.ppc;

/**
 * Special-purpose register numbers this CPU implements (Power ISA v3.0 Book III, SPR list).
 * SPR numbers with bit 0x10 set are privileged.
 */
public final class Spr {
    private Spr() {
    }

    public static final int XER = 1;
    public static final int DSCR_USER = 3;
    public static final int LR = 8;
    public static final int CTR = 9;
    public static final int DSCR = 17;
    public static final int DSISR = 18;
    public static final int DAR = 19;
    public static final int DEC = 22;
    public static final int SRR0 = 26;
    public static final int SRR1 = 27;
    public static final int CFAR = 28;
    public static final int CTRL_READ = 136;
    public static final int CTRL_WRITE = 152;
    public static final int VRSAVE = 256;
    public static final int SPRG3_USER = 259;
    public static final int TB = 268;
    public static final int TBU = 269;
    public static final int SPRG0 = 272;
    public static final int SPRG1 = 273;
    public static final int SPRG2 = 274;
    public static final int SPRG3 = 275;
    public static final int PVR = 287;
    public static final int HSPRG0 = 304;
    public static final int HSPRG1 = 305;
    public static final int LPCR = 318;
    public static final int TAR = 815;
    public static final int PPR = 896;
    public static final int PIR = 1023;

    static boolean isPrivileged(int spr) {
        return (spr & 0x10) != 0;
    }
}
