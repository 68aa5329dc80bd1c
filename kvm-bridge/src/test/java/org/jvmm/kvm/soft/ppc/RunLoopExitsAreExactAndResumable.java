package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Budget, halt, stop, and the states this CPU refuses, reported as exits with the reason. */
class RunLoopExitsAreExactAndResumable {

    @Test
    @DisplayName("the budget stops the CPU after exactly that many instructions, mid-block")
    void budgetIsExact() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.code(0, addi(3, 3, 1), addi(3, 3, 1), addi(3, 3, 1), b(-12));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(1001));
            assertEquals(1001, m.cpu.retiredInstructions());
            assertEquals(751, m.cpu.gpr(3), "250 loops of 3 adds, plus one more add");
            assertEquals(4, m.cpu.pc().value());
        }
    }

    @Test
    @DisplayName("wait halts with PC past it; run continues from there")
    void waitHalts() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.code(0, li(3, 1), WAIT, li(3, 2));
            PpcExit.Halted h = assertInstanceOf(PpcExit.Halted.class, m.cpu.run(10));
            assertEquals(8, h.pc().value());
            m.cpu.run(1);
            assertEquals(2, m.cpu.gpr(3));
        }
    }

    @Test
    @DisplayName("the v3.0 wait encoding and stop halt too; stop in problem state is privileged")
    void otherHaltEncodings() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.code(0x100, 0x7c00003c, 0x4c0002e4);
            m.cpu.setPc(new GuestAddress(0x100));
            assertEquals(0x104, assertInstanceOf(PpcExit.Halted.class, m.cpu.run(10)).pc().value());
            assertEquals(0x108, assertInstanceOf(PpcExit.Halted.class, m.cpu.run(10)).pc().value());
            m.cpu.setPc(new GuestAddress(0x104));
            m.cpu.setMsr(m.cpu.msr() | Msr.PR);
            m.cpu.run(1);
            assertEquals(Vector.PROGRAM, m.cpu.pc().value());
            assertEquals(Vector.SRR1_PRIVILEGED, m.cpu.srr1() & Vector.SRR1_SPECIFIC);
        }
    }

    @Test
    @DisplayName("addpcis adds its shifted immediate to the next instruction's address")
    void addpcis() {
        try (TestMachine m = new TestMachine(0x40000, true)) {
            // 0x2000: addpcis r5,1 ; addpcis r6,-1 (d = -1: d0 all ones, d1 all ones, d2 = 1)
            m.code(0x2000, 0x4ca00005, 0x4cdfffc5);
            m.cpu.setPc(new GuestAddress(0x2000));
            m.cpu.run(2);
            assertEquals(0x2004 + 0x10000, m.cpu.gpr(5));
            assertEquals(0x2008 - 0x10000, m.cpu.gpr(6));
        }
    }

    @Test
    @DisplayName("requestStop from another thread ends an endless loop with Stopped")
    void stopFromAnotherThread() throws Exception {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.code(0, b(0));
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                m.cpu.requestStop();
            });
            t.start();
            PpcExit e = m.cpu.run(Long.MAX_VALUE);
            t.join();
            assertInstanceOf(PpcExit.Stopped.class, e);
        }
    }

    @Test
    @DisplayName("fetching outside RAM and turning on translation are IllegalState exits with the reason")
    void illegalStates() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setPc(new GuestAddress(0x10000));
            PpcExit.IllegalState s = assertInstanceOf(PpcExit.IllegalState.class, m.cpu.run(5));
            assertTrue(s.reason().contains("outside guest RAM"), s.reason());
            assertEquals(0x10000, s.pc().value());
            m.cpu.setPc(new GuestAddress(0));
            m.cpu.setMsr(m.cpu.msr() | Msr.IR);
            s = assertInstanceOf(PpcExit.IllegalState.class, m.cpu.run(5));
            assertTrue(s.reason().contains("translation"), s.reason());
        }
    }

    @Test
    @DisplayName("bad arguments are refused with the offending values")
    void badArguments() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.cpu.run(0));
            assertTrue(e.getMessage().contains("budget 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.cpu.setPc(new GuestAddress(6)));
            assertTrue(e.getMessage().contains("0x6"), e.getMessage());
        }
        try (Arena a = Arena.ofConfined()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new PpcCpu(a.allocate(1000), MmioHandler.EXIT_ALWAYS, HypercallHandler.EXIT_ALWAYS, true));
            assertTrue(e.getMessage().contains("0x3e8"), e.getMessage());
        }
    }

    @Test
    @DisplayName("mftb counts one tick per retired instruction; mfspr PVR reads POWER9")
    void timebaseAndPvr() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.code(0, mfspr(3, Spr.TB), NOP, NOP, mfspr(4, Spr.TB), mfspr(5, Spr.PVR));
            m.cpu.run(5);
            assertEquals(0, m.cpu.gpr(3));
            assertEquals(3, m.cpu.gpr(4));
            assertEquals(PpcCpu.PVR_POWER9, m.cpu.gpr(5));
        }
    }

    @Test
    @DisplayName("SPRGs, SRR0/1 and DEC written by mtspr read back; an unknown SPR is illegal")
    void sprs() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setGpr(3, 0x1234);
            m.code(0, mtspr(Spr.SPRG2, 3), mfspr(4, Spr.SPRG2), mtspr(Spr.SRR0, 3), mtspr(Spr.DEC, 3),
                    NOP, mfspr(5, Spr.DEC), mfspr(6, 999));
            m.cpu.run(7);
            assertEquals(0x1234, m.cpu.sprg(2));
            assertEquals(0x1234, m.cpu.gpr(4));
            assertEquals(0x18, m.cpu.srr0(), "SRR0 written by mtspr, then by the interrupt of the illegal mfspr");
            assertEquals(0x1234 - 2, m.cpu.gpr(5), "DEC written, two instructions later read");
            assertEquals(Vector.PROGRAM, m.cpu.pc().value());
            assertEquals(Vector.SRR1_ILLEGAL, m.cpu.srr1() & Vector.SRR1_SPECIFIC);
        }
    }
}
