package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * edu's INTx through vfio-pci: a level-triggered irqfd on IOAPIC pin 19 (slot 3, INTA), with the
 * resample eventfd as VFIO's unmask: three interrupts in a row, no exit on either path.
 */
class IntxThroughIoapicWithResample {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void threeLevelInterruptsArriveEachAfterTheLastWasResampled() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20)) {
            var r = m.boot("intx");
            assertEquals("intx: pin 1 routed to gsi 19, 3 interrupts, 7! = 5040\nintx: PASS\n", m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(19, m.vfioEdu.intxGsi());
            assertEquals(3, m.machine.summary().intxAssertions());
            assertEquals(0, m.machine.summary().msiMessages());
        }
    }
}
