package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.memory.RamRegion;
import org.jvmm.iommu.IommuFault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guest (e), flow 2: RAM hot-added, moved and removed while the guest runs (the machine's
 * addRam, moveRam and removeRam); the VFIO listener maps, unmaps first then maps, and unmaps; DMA
 * follows and the old range faults.
 */
class RemapKeepsTheIommuInStep {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void dmaFollowsTheRamAndTheOldRangeFaults() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20)) {
            RamRegion[] dimm = new RamRegion[1];
            List<String> iommu = new ArrayList<>();
            var listener = m.machine.vfio().listener();
            var r = m.boot("remap", n -> {
                switch (n) {
                    case 1 -> dimm[0] = m.machine.addRam(new GuestAddress(0x800_0000L), 1L << 20);
                    case 2 -> m.machine.moveRam(dimm[0], new GuestAddress(0x900_0000L));
                    case 3 -> m.machine.removeRam(dimm[0]);
                    default -> throw new AssertionError("unexpected checkpoint " + n);
                }
                iommu.add(n + ": maps " + listener.maps() + ", unmaps " + listener.unmaps() + ", mapped 0x"
                        + Long.toHexString(listener.mappedBytes()));
            });
            assertEquals("""
                    remap: DMA into hot-added RAM at 0x8000000: ok
                    remap: after the move: contents moved yes, DMA into 0x9001000 ok, old place reads 0xffffffff
                    remap: after removal: 0x9000000 reads 0xffffffff
                    remap: interrupts 6
                    remap: PASS
                    """, m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(List.of("1: maps 2, unmaps 0, mapped 0x4100000", "2: maps 3, unmaps 1, mapped 0x4100000",
                    "3: maps 3, unmaps 2, mapped 0x4000000"), iommu);
            List<IommuFault> faults = m.platform.faults().faults();
            assertEquals(2, faults.size(), faults.toString());
            assertEquals(new Iova(0x800_0000L), faults.get(0).iova());
            assertEquals(new Iova(0x900_0000L), faults.get(1).iova());
            assertEquals(List.of(), m.machine.hotAddedRam());
        }
    }
}
