package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.address.Iova;
import org.jvmm.iommu.DeviceDmaPort;
import org.jvmm.iommufd.IommufdStructs.AttachPt;
import org.jvmm.iommufd.IommufdStructs.IoasMap;
import org.jvmm.iommufd.IommufdStructs.IoasUnmap;
import org.jvmm.testing.DmaWhileRemapStress;
import org.jvmm.testing.IommufdRig;

/**
 * Stress: a control thread maps and unmaps 16 KiB slots of an IOAS (pinning and unpinning, since
 * a PASID-capable domain exists) while two device threads read through the function's DMA port,
 * one untagged (the RID's HWPT) and one with a PASID (the same HWPT on PASID 3), across slot
 * boundaries. Every word of memory holds its own host address. Checked: each DMA moved every byte
 * (each page one run of consecutive words at the IOVA's page offset) or nothing (the buffer
 * untouched); no thread threw; the locked-memory count is zero after the last unmap. Bounded:
 * {@code -Djvmm.stress.scale=N} multiplies the operations; no timing is asserted. The driver loop
 * and the checks are {@link DmaWhileRemapStress}'s, shared with the TYPE1 test.
 */
@DisplayName("Stress: IOAS MAP/UNMAP and RID and PASID DMA at once; DMA whole or nothing, no exception, accounting back to zero")
class IoasMapUnmapAndPasidDmaAtOnce {
    private static final long SLOT = DmaWhileRemapStress.SLOT;

    @Test
    void dmaIsWholeOrNothingWhileAreasComeAndGo() throws Exception {
        try (IommufdRig rig = IommufdRig.open(1L << 30)) {
            Iommufd fd = rig.iommufd;
            int ioas = fd.ioasAlloc();
            int hwpt = fd.hwptAlloc(IOMMU_HWPT_ALLOC_PASID, rig.devId, ioas);
            rig.device.attachIommufdPt(hwpt);
            rig.device.attachIommufdPt(AttachPt.pasid(hwpt, 3));
            IommufdRig.enableBusMaster(rig.device);
            long base = rig.va(0);
            long ram = rig.ram.size();
            DmaWhileRemapStress.fillWithAddresses(rig.ram.segment(), base);
            DeviceDmaPort port = rig.platform.function("stress", IommufdRig.PASID_EDU).dmaPort();
            int flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE;
            DmaWhileRemapStress.Outcome out = DmaWhileRemapStress.run(base, ram, 20_000 * DmaWhileRemapStress.SCALE,
                    new DmaWhileRemapStress.Remapper() {
                        @Override
                        public void map(int s, long va) {
                            fd.ioasMap(IoasMap.of(flags, ioas, va, SLOT, s * SLOT));
                        }

                        @Override
                        public void unmap(int s) {
                            assertEquals(SLOT, fd.ioasUnmap(IoasUnmap.of(ioas, s * SLOT, SLOT)).length());
                        }
                    },
                    List.of((iova, b) -> port.read(org.jvmm.pci.DmaPort.NO_PASID, new Iova(iova), b),
                            (iova, b) -> port.read(3, new Iova(iova), b)),
                    DmaWhileRemapStress.Until.BOTH_OUTCOMES_SEEN, mapped -> {
                        if (!mapped[0]) {
                            // leave one slot mapped, so the DMA threads' last rounds can also succeed
                            fd.ioasMap(IoasMap.of(flags, ioas, base, SLOT, 0));
                        }
                    });
            assertEquals(List.of(), out.failures());
            assertTrue(out.whole() > 0 && out.faulted() > 0, "both outcomes seen: " + out.whole() + " whole, " + out.faulted() + " faulted");
            fd.ioasUnmap(IoasUnmap.of(ioas, 0, -1L));
            assertEquals(0, rig.memlock.lockedBytes(), "locked memory after the last unmap");
        }
    }
}
