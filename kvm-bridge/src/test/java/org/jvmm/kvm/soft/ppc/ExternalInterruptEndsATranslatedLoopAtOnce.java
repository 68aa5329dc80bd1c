package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.Test;

/**
 * A translated block that branches to itself runs as a JVM loop of at most 2^20 instructions per
 * call. An external line raised by another thread while it spins is taken within 4096
 * instructions (the loop reads the CPU's attention flag each time its count crosses a multiple
 * of 4096, and 64 instructions before the run's end), not at the end of the 2^20-instruction run.
 */
class ExternalInterruptEndsATranslatedLoopAtOnce {
    private static final int MAX_TRANSLATED_RUN = 1 << 20;

    @Test
    void anInterruptRaisedFromAnotherThreadEndsASpinningTranslatedLoopBetweenTwoRunBoundaries() throws Exception {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.translateThreshold = 1;
            m.code(0x2000, b(0)); // b . : a one-instruction self-loop, translated at once
            m.code(Vector.EXTERNAL, WAIT);
            m.cpu.setMsr(Msr.SF | Msr.ME | Msr.LE | Msr.EE);
            m.cpu.setPc(new GuestAddress(0x2000));
            Thread device = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    return;
                }
                m.cpu.setExternalInterrupt(true);
            });
            PpcExit e = m.cpu.run(1L << 40);
            device.join();
            assertInstanceOf(PpcExit.Halted.class, e);
            assertEquals(0x2000, m.cpu.srr0(), "taken in the loop");
            long loop = m.cpu.retiredInstructions() - 1; // the wait at 0x500 retired too
            assertNotEquals(0, loop % MAX_TRANSLATED_RUN,
                    "the loop was left mid-run, not when a 2^20-instruction run ended (" + loop + " instructions)");
            // The checks: every ATTENTION_PERIOD instructions of a run, and MAX_BLOCK before its end
            // (a line raised in a run's last period is seen there).
            long inRun = loop % MAX_TRANSLATED_RUN;
            assertTrue(inRun % PpcCpu.ATTENTION_PERIOD == 0 || inRun == MAX_TRANSLATED_RUN - PpcCpu.MAX_BLOCK,
                    "at an attention check (" + loop + " instructions)");
        }
    }
}
