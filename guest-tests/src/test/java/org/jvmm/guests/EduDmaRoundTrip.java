package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guest (c): edu DMA RAM -> device -> RAM through the TYPE1 IOMMU, an MSI on each completion. */
class EduDmaRoundTrip {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void everyByteRoundTripsAndBothCompletionsInterrupt() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20)) {
            var r = m.boot("edu-dma");
            assertEquals("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ\nedu-dma: PASS\n", m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(0, m.platform.faults().faults().size());
            // the VMM's summary agrees with the guest: 8192 bytes, two interrupts
            var summary = m.machine.summary();
            assertEquals(8192, summary.dmaBytes());
            assertEquals(4096, summary.dmaToMemory());
            assertEquals(2, summary.msiMessages());
            assertEquals(0, summary.iommuFaults());
            assertEquals(1, summary.iommuMaps()); // the one RAM section below 4 GiB
            assertTrue(m.machine.vfio().listener().errors().isEmpty(), m.machine.vfio().listener().errors().toString());
        }
    }
}
