package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The run loop goes from one translated block straight to the next when the next is one of the
 * last two it went to from there (its successor links), without the cache lookup and the checks
 * at the top of the loop. Those checks must still hold at every block boundary: a stop request
 * and an external interrupt from another thread, the decrementer at its exact instruction, the
 * budget, and code rewritten under a link.
 */
class ChainedTranslatedBlocksKeepTheRunLoopChecks {
    /** A two-block loop: 0x1000 adds 1 to r3 and jumps to 0x1100, which adds 1 to r4 and jumps back. */
    private static TestMachine twoBlockLoop(boolean translate) {
        TestMachine m = new TestMachine(0x10000, true);
        m.cpu.translateThreshold = 1;
        m.cpu.setBlockTranslation(translate);
        m.code(0x1000, addi(3, 3, 1), b(0x100 - 4));
        m.code(0x1100, addi(4, 4, 1), b(-0x100 - 4));
        m.cpu.setPc(new GuestAddress(0x1000));
        return m;
    }

    @Test
    @DisplayName("a stop request from another thread ends a loop of chained translated blocks")
    void stopRequestEndsAChainedLoop() throws Exception {
        try (TestMachine m = twoBlockLoop(true)) {
            m.cpu.run(4000); // both blocks translated and linked before the other thread starts
            assertEquals(2, m.cpu.translatedBlocks());
            Thread vmm = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    return;
                }
                m.cpu.requestStop();
            });
            long budget = 1L << 33;
            PpcExit e = m.cpu.run(budget);
            vmm.join();
            assertInstanceOf(PpcExit.Stopped.class, e, "stopped, not run to the end of the budget");
            assertTrue(m.cpu.retiredInstructions() < 4000 + budget, "stopped before the budget");
            assertEquals(m.cpu.gpr(3), m.cpu.gpr(4) + (m.cpu.pc().value() == 0x1100 ? 1 : 0),
                    "stopped at a block boundary");
        }
    }

    @Test
    @DisplayName("an external interrupt raised from another thread is taken at a chained block boundary")
    void externalInterruptEndsAChainedLoop() throws Exception {
        try (TestMachine m = twoBlockLoop(true)) {
            m.code(Vector.EXTERNAL, WAIT);
            m.cpu.run(4000);
            assertEquals(2, m.cpu.translatedBlocks());
            m.cpu.setMsr(Msr.SF | Msr.ME | Msr.LE | Msr.EE);
            Thread device = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    return;
                }
                m.cpu.setExternalInterrupt(true);
            });
            long budget = 1L << 33;
            PpcExit e = m.cpu.run(budget);
            device.join();
            assertInstanceOf(PpcExit.Halted.class, e);
            assertTrue(m.cpu.retiredInstructions() < 4000 + budget, "taken before the budget ran out");
            long srr0 = m.cpu.srr0();
            assertTrue(srr0 == 0x1000 || srr0 == 0x1100, "SRR0 0x" + Long.toHexString(srr0) + " is a block start");
            assertEquals(m.cpu.gpr(3), m.cpu.gpr(4) + (srr0 == 0x1100 ? 1 : 0));
        }
    }

    @Test
    @DisplayName("the decrementer interrupts a chained loop at the same instruction as the interpreter")
    void decrementerAtTheSameInstructionInBothTiers() {
        long[][] seen = new long[2][];
        for (int tier = 0; tier < 2; tier++) {
            try (TestMachine m = twoBlockLoop(tier == 0)) {
                m.code(Vector.DECREMENTER, WAIT);
                m.cpu.setDec(1001);
                m.cpu.setMsr(Msr.SF | Msr.ME | Msr.LE | Msr.EE);
                PpcExit e = m.cpu.run(1_000_000);
                assertInstanceOf(PpcExit.Halted.class, e);
                seen[tier] = new long[] {m.cpu.srr0(), m.cpu.gpr(3), m.cpu.gpr(4), m.cpu.retiredInstructions()};
                assertEquals(tier == 0 ? 2 : 0, m.cpu.translatedBlocks());
            }
        }
        // DEC 1001 goes negative after 1002 instructions: 250 passes of 4, then the addi at 0x1000
        // and the b, so the interrupt comes at 0x1100.
        assertEquals(java.util.List.of(0x1100L, 251L, 250L, 1003L), java.util.Arrays.stream(seen[0]).boxed().toList());
        assertEquals(java.util.Arrays.stream(seen[1]).boxed().toList(), java.util.Arrays.stream(seen[0]).boxed().toList());
    }

    @Test
    @DisplayName("the budget ends a chained loop at the exact instruction")
    void budgetEndsAChainedLoopExactly() {
        try (TestMachine m = twoBlockLoop(true)) {
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(4001));
            assertEquals(4001, m.cpu.retiredInstructions());
            assertEquals(1001, m.cpu.gpr(3));
            assertEquals(1000, m.cpu.gpr(4));
            assertEquals(0x1004, m.cpu.pc().value());
        }
    }

    @Test
    @DisplayName("a linked successor rewritten by the VMM is not run again: the new code runs")
    void rewrittenSuccessorIsNotFollowed() {
        try (TestMachine m = twoBlockLoop(true)) {
            m.cpu.run(4000);
            assertEquals(1000, m.cpu.gpr(4));
            m.code(0x1100, addi(4, 4, 16));
            m.cpu.run(4000);
            assertEquals(2000, m.cpu.gpr(3));
            assertEquals(1000 + 16 * 1000, m.cpu.gpr(4));
        }
    }

    @Test
    @DisplayName("a linked successor rewritten by a guest store is not run again: the new code runs")
    void successorRewrittenByTheGuest() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.translateThreshold = 1;
            // 0x1000: r3 += 1; bdnz 0x1100 (CTR counts passes); then stw r5 -> 0x1100 and back.
            m.code(0x1000, addi(3, 3, 1), bc(16, 0, 0x100 - 4));
            m.code(0x1008, stw(5, 0x1100, 0), b(-0xc));
            m.code(0x1100, addi(4, 4, 1), b(-0x100 - 4));
            m.cpu.setCtr(100);
            m.cpu.setGpr(5, addi(4, 4, 16));
            m.cpu.setPc(new GuestAddress(0x1000));
            // 99 passes through both blocks; the 100th falls through to the store and back; then
            // CTR goes 0 -> -1 (taken) and three passes run the rewritten block.
            m.cpu.run(99 * 4 + 2 + 2 + 3 * 4);
            assertEquals(100 + 3, m.cpu.gpr(3));
            assertEquals(99 + 16 * 3, m.cpu.gpr(4));
        }
    }
}
