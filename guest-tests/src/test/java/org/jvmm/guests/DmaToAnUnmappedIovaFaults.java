package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.IommuFault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guest (d): DMA to and from an IOVA the VMM never mapped: 0 bytes move and the IOMMU records both faults. */
class DmaToAnUnmappedIovaFaults {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void nothingLandsAndBothFaultsAreRecordedWithDeviceIovaAndDirection() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20)) {
            var r = m.boot("dma-fault");
            assertEquals("""
                    dma-fault: 4 commands completed: yes, interrupts 4
                    dma-fault: device buffer intact after the refused read: yes
                    dma-fault: PASS
                    """, m.console());
            assertTrue(r.exitedWith(1), r.toString());
            List<IommuFault> faults = m.platform.faults().faults();
            assertEquals(2, faults.size(), faults.toString());
            assertEquals(EduMachine.EDU, faults.get(0).device());
            assertEquals(new Iova(0x8000000), faults.get(0).iova());
            assertEquals(AccessKind.WRITE, faults.get(0).access());
            assertEquals(new Iova(0x8000000), faults.get(1).iova());
            assertEquals(AccessKind.READ, faults.get(1).access());
            var s = m.machine.summary();
            assertEquals(8192, s.dmaBytes()); // only the two DMAs through mapped IOVAs
            assertEquals(2, s.iommuFaults());
        }
    }
}
