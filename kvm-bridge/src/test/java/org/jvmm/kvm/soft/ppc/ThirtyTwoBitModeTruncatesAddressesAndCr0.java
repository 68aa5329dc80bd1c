package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.NOP;
import static org.jvmm.kvm.soft.ppc.Asm.li;
import static org.jvmm.kvm.soft.ppc.Asm.lwz;
import static org.jvmm.kvm.soft.ppc.Asm.stw;
import static org.jvmm.kvm.soft.ppc.Asm.x;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Power ISA v3.0 Book III 4.3 / Book I 1.5 "computation modes": with MSR[SF] = 0 (32-bit mode,
 * as QEMU 7.2's pseries enters firmware) effective addresses of loads, stores and branch
 * targets are truncated to 32 bits, and record forms set CR0 from the low 32 bits of the result.
 * With SF = 1 the same code uses all 64 bits.
 */
class ThirtyTwoBitModeTruncatesAddressesAndCr0 {

    private static int orDot(int ra, int rs, int rb) {
        return x(rs, ra, rb, 444) | 1;
    }

    private static final int BCTR = (19 << 26) | (20 << 21) | (528 << 1);

    @Test
    @DisplayName("32-bit mode: a store and a load at 0xffffffff_00001000 reach 0x1000")
    void loadStoreAddressesAreTruncated() {
        try (TestMachine m = new TestMachine(0x10000, false)) {
            m.code(0x100, stw(3, 0, 4), lwz(5, 0, 4), NOP);
            m.cpu.setMsr(0);
            m.cpu.setGpr(3, 0x1234_5678L);
            m.cpu.setGpr(4, 0xffff_ffff_0000_1000L);
            m.cpu.setPc(new GuestAddress(0x100));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(2));
            assertEquals(0x1234_5678, m.read32(0x1000));
            assertEquals(0x1234_5678L, m.cpu.gpr(5));
        }
    }

    @Test
    @DisplayName("32-bit mode: or. of 0x1_00000000 sets CR0 EQ (low word 0); 64-bit mode sets GT")
    void recordFormSetsCr0FromTheLowWord() {
        for (long msr : new long[] {0, Msr.SF}) {
            try (TestMachine m = new TestMachine(0x10000, false)) {
                m.code(0x100, orDot(6, 7, 7), NOP);
                m.cpu.setMsr(msr);
                m.cpu.setGpr(7, 0x1_0000_0000L);
                m.cpu.setPc(new GuestAddress(0x100));
                assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(1));
                assertEquals(msr == 0 ? 0x2 : 0x4, m.cpu.cr() >>> 28, "CR0 with MSR 0x" + Long.toHexString(msr));
                assertEquals(0x1_0000_0000L, m.cpu.gpr(6), "the register keeps all 64 bits");
            }
        }
    }

    @Test
    @DisplayName("32-bit mode: bctr to 0xffffffff_00000200 continues at 0x200")
    void branchTargetIsTruncated() {
        try (TestMachine m = new TestMachine(0x10000, false)) {
            m.code(0x100, BCTR);
            m.code(0x200, li(8, 7), NOP);
            m.cpu.setMsr(0);
            m.cpu.setCtr(0xffff_ffff_0000_0200L);
            m.cpu.setPc(new GuestAddress(0x100));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(2));
            assertEquals(7, m.cpu.gpr(8));
            assertEquals(0x204, m.cpu.pc().value());
        }
    }
}
