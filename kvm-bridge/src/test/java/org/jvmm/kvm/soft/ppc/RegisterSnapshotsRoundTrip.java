package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** KVM_GET_REGS/KVM_SET_REGS-shaped snapshots carry every register, and bad ones are refused. */
class RegisterSnapshotsRoundTrip {

    @Test
    @DisplayName("a snapshot applied to another CPU reads back equal, and the snapshot is immutable")
    void roundTrip() {
        try (TestMachine a = new TestMachine(0x10000, true); TestMachine b = new TestMachine(0x10000, false)) {
            long[] gpr = new long[32];
            for (int i = 0; i < 32; i++) {
                gpr[i] = 0x1111_0000_0000_0000L * (i % 7) + i;
            }
            PpcRegisters r = new PpcRegisters(0x1230, 0x8421_0000, 7, 0x4000, 0xE00C_0000L,
                    Msr.SF | Msr.ME | Msr.LE | Msr.EE, 0x500, Msr.SF, new long[] {1, 2, 3, 4}, gpr);
            gpr[3] = -1;
            b.cpu.setRegisters(r);
            assertEquals(r, b.cpu.registers());
            assertEquals(0x3333_0000_0000_0003L, b.cpu.gpr(3), "the caller's later change to its array did not leak in");
            assertEquals(0xE00C_0000L, b.cpu.xer());
            assertEquals(4, b.cpu.sprg(3));
            long[] copy = r.gpr();
            copy[0] = 99;
            assertArrayEquals(b.cpu.registers().gpr(), r.gpr());
            assertEquals(Msr.SF | Msr.ME | Msr.LE, a.cpu.registers().msr());
        }
    }

    @Test
    @DisplayName("a snapshot with the wrong register count or a misaligned pc is refused with the values")
    void refused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new PpcRegisters(0, 0, 0, 0, 0, 0, 0, 0, new long[4], new long[31]));
        assertTrue(e.getMessage().contains("31 GPRs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PpcRegisters(0x102, 0, 0, 0, 0, 0, 0, 0, new long[4], new long[32]));
        assertTrue(e.getMessage().contains("0x102"), e.getMessage());
    }
}
