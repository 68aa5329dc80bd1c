package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
        // A line raised in the few instructions between a run's last check and its end, or while
        // the run loop is between two runs, is rightly taken at the boundary: a loaded machine
        // can land there now and then, so the test tries again; without checks inside a run it
        // would land there every time.
        long[] boundaries = new long[3];
        for (int attempt = 0; attempt < boundaries.length; attempt++) {
            long loop = spinUntilInterrupted();
            long inRun = loop % MAX_TRANSLATED_RUN;
            if (inRun != 0) {
                // The checks: every ATTENTION_PERIOD instructions of a run, and MAX_BLOCK before its
                // end (a line raised in a run's last period is seen there).
                assertTrue(inRun % PpcCpu.ATTENTION_PERIOD == 0 || inRun == MAX_TRANSLATED_RUN - PpcCpu.MAX_BLOCK,
                        "at an attention check (" + loop + " instructions)");
                return;
            }
            boundaries[attempt] = loop;
        }
        fail("the loop was left when a 2^20-instruction run ended, never mid-run, in " + boundaries.length
                + " tries: " + java.util.Arrays.toString(boundaries) + " instructions");
    }

    /** Spins in a translated self-loop until another thread raises the external line; the loop's instructions. */
    private static long spinUntilInterrupted() throws Exception {
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
            return m.cpu.retiredInstructions() - 1; // the wait at 0x500 retired too
        }
    }
}
