package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * System call, program (trap, illegal, privileged), FP unavailable, decrementer and external
 * interrupts: vector, SRR0, SRR1 and the new MSR, and rfid back (Power ISA v3.0 Book III ch. 7).
 */
class InterruptsFollowThePowerIsa {
    private static final long CODE = 0x2000;

    /** A machine whose vectors hold nops (handlers that just run on), starting at CODE. */
    private static TestMachine machine() {
        TestMachine m = new TestMachine(0x10000, true);
        int[] nops = new int[0x100];
        java.util.Arrays.fill(nops, NOP);
        for (long v : new long[] {Vector.EXTERNAL, Vector.DECREMENTER}) {
            m.code(v, nops);
        }
        m.cpu.setPc(new GuestAddress(CODE));
        return m;
    }

    private static long supervisorLe() {
        return Msr.SF | Msr.ME | Msr.LE;
    }

    @Test
    @DisplayName("sc 0: vector 0xC00, SRR0 = next instruction, SRR1 = old MSR, new MSR without EE")
    void systemCall() {
        try (TestMachine m = machine()) {
            m.cpu.setMsr(supervisorLe() | Msr.EE);
            m.code(CODE, sc(0));
            m.cpu.run(1);
            assertEquals(Vector.SYSTEM_CALL, m.cpu.pc().value());
            assertEquals(CODE + 4, m.cpu.srr0());
            assertEquals(supervisorLe() | Msr.EE, m.cpu.srr1());
            assertEquals(supervisorLe(), m.cpu.msr());
        }
    }

    @Test
    @DisplayName("rfid returns to SRR0 with MSR from SRR1")
    void rfid() {
        try (TestMachine m = machine()) {
            m.code(Vector.SYSTEM_CALL, RFID);
            m.code(CODE, sc(0), li(5, 9));
            m.cpu.setMsr(supervisorLe() | Msr.EE);
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(3));
            assertEquals(9, m.cpu.gpr(5));
            assertEquals(supervisorLe() | Msr.EE, m.cpu.msr());
        }
    }

    @Test
    @DisplayName("trap: 0x700, SRR0 = the tw, SRR1 bit 46; a false condition does nothing")
    void trap() {
        try (TestMachine m = machine()) {
            m.cpu.setGpr(3, 5);
            m.cpu.setGpr(4, 6);
            m.code(CODE, tw(4, 3, 4), tw(8, 4, 3));
            m.cpu.run(2);
            assertEquals(Vector.PROGRAM, m.cpu.pc().value());
            assertEquals(CODE + 4, m.cpu.srr0());
            assertEquals(Vector.SRR1_TRAP, m.cpu.srr1() & Vector.SRR1_SPECIFIC);
        }
    }

    @Test
    @DisplayName("an unknown encoding is an illegal-instruction program interrupt (SRR1 bit 44)")
    void illegal() {
        try (TestMachine m = machine()) {
            m.code(CODE, 0x00000000);
            m.cpu.run(1);
            assertEquals(Vector.PROGRAM, m.cpu.pc().value());
            assertEquals(CODE, m.cpu.srr0());
            assertEquals(Vector.SRR1_ILLEGAL, m.cpu.srr1() & Vector.SRR1_SPECIFIC);
        }
    }

    @Test
    @DisplayName("a supervisor instruction in problem state is privileged (SRR1 bit 45), MSR stays")
    void privileged() {
        try (TestMachine m = machine()) {
            m.cpu.setMsr(supervisorLe() | Msr.PR);
            m.code(CODE, mtmsrd(3, 0));
            m.cpu.run(1);
            assertEquals(Vector.PROGRAM, m.cpu.pc().value());
            assertEquals(Vector.SRR1_PRIVILEGED, m.cpu.srr1() & Vector.SRR1_SPECIFIC);
            assertEquals(supervisorLe() | Msr.PR, m.cpu.srr1() & ~Vector.SRR1_SPECIFIC);
        }
    }

    @Test
    @DisplayName("a floating-point load with MSR[FP]=0 is FP unavailable (0x800): no FPU in this CPU")
    void floatingPoint() {
        try (TestMachine m = machine()) {
            m.code(CODE, lfd(1, 0, 3));
            m.cpu.run(1);
            assertEquals(Vector.FP_UNAVAILABLE, m.cpu.pc().value());
            assertEquals(CODE, m.cpu.srr0());
        }
    }

    @Test
    @DisplayName("the decrementer interrupt arrives exactly when DEC goes negative, one tick per instruction")
    void decrementer() {
        try (TestMachine m = machine()) {
            int[] nops = new int[100];
            java.util.Arrays.fill(nops, NOP);
            m.code(CODE, nops);
            m.cpu.setDec(10);
            m.cpu.setMsr(supervisorLe() | Msr.EE);
            long start = m.cpu.retiredInstructions();
            m.cpu.run(50);
            // DEC 10 -> -1 after 11 ticks: the interrupt is taken before the 12th instruction.
            assertEquals(CODE + 4 * 11, m.cpu.srr0());
            assertEquals(start + 50, m.cpu.retiredInstructions());
            assertEquals(supervisorLe() | Msr.EE, m.cpu.srr1());
            assertEquals(Vector.DECREMENTER + 4 * (50 - 11), m.cpu.pc().value(), "the handler's nops ran since");
        }
    }

    @Test
    @DisplayName("a pending decrementer waits for MSR[EE]; mtmsrd L=1 opens the window at once")
    void decrementerWaitsForEe() {
        try (TestMachine m = machine()) {
            m.cpu.setGpr(3, Msr.EE);
            m.code(CODE, NOP, NOP, NOP, mtmsrd(3, 1), NOP);
            m.cpu.setDec(0);
            m.cpu.run(4);
            assertEquals(CODE + 16, m.cpu.pc().value(), "no interrupt with EE=0");
            m.cpu.run(1);
            assertEquals(Vector.DECREMENTER + 4, m.cpu.pc().value());
            assertEquals(CODE + 16, m.cpu.srr0());
        }
    }

    @Test
    @DisplayName("the external line interrupts at 0x500 while asserted and EE=1, before the decrementer")
    void external() {
        try (TestMachine m = machine()) {
            m.code(CODE, NOP, NOP);
            m.cpu.setExternalInterrupt(true);
            m.cpu.run(1);
            assertEquals(CODE + 4, m.cpu.pc().value(), "masked by EE=0");
            m.cpu.setMsr(supervisorLe() | Msr.EE);
            m.cpu.setDec(-1);
            m.cpu.run(1);
            assertEquals(CODE + 4, m.cpu.srr0());
            assertEquals(Vector.EXTERNAL + 4, m.cpu.pc().value());
        }
    }

    @Test
    @DisplayName("interrupts enter in the interrupt byte order (LPCR[ILE]) and rfid restores the guest's")
    void interruptEndianness() {
        try (TestMachine m = new TestMachine(0x10000, false)) {
            m.cpu.setInterruptLittleEndian(true);
            m.cpu.setPc(new GuestAddress(CODE));
            m.code(CODE, sc(0));
            m.cpu.run(1);
            assertEquals(Msr.SF | Msr.ME | Msr.LE, m.cpu.msr());
            assertEquals(Msr.SF | Msr.ME, m.cpu.srr1());
        }
    }
}
