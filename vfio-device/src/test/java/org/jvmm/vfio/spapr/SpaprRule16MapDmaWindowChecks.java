package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import java.nio.ByteBuffer;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 16 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): MAP_DMA: an iova outside every window is
 * ENXIO; misalignment is EINVAL.
 */
@DisplayName("Rule 16: MAP_DMA outside every window is ENXIO, misaligned is EINVAL; TCEs are big-endian page|W|R")
class SpaprRule16MapDmaWindowChecks {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    private static SpaprRig v2(HostMapping[] ram) {
        SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU);
        ram[0] = rig.memory.allocate("ram", 1 << 20);
        rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram[0].address(), 1 << 20));
        return rig;
    }

    @Test
    void anIovaOutsideEveryWindowIsEnxio() {
        HostMapping[] ram = new HostMapping[1];
        try (SpaprRig rig = v2(ram)) {
            assertErrno(Errno.ENXIO, "VFIO_IOMMU_MAP_DMA",
                    () -> rig.container.mapDma(new DmaMap(RW, ram[0].address(), Iova.of(1L << 30), 4096)));
            assertErrno(Errno.ENXIO, "VFIO_IOMMU_UNMAP_DMA", () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(1L << 40), 4096)));
        } finally {
            ram[0].close();
        }
    }

    @Test
    void misalignedIovaVaddrOrSizeAndNoPermissionAreEinval() {
        HostMapping[] ram = new HostMapping[1];
        try (SpaprRig rig = v2(ram)) {
            var a = ram[0].address();
            String op = "VFIO_IOMMU_MAP_DMA";
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, a, Iova.of(0x800), 4096)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, a.plus(0x10), Iova.of(0), 4096)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, a, Iova.of(0), 100)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(0, a, Iova.of(0), 4096)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(8, a, Iova.of(0), 4096)));
            // the end leaves the 1 GiB window
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, a, Iova.of((1L << 30) - 4096), 8192)));
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_UNMAP_DMA", () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10), 4096)));
        } finally {
            ram[0].close();
        }
    }

    @Test
    void theTableHoldsBigEndianEntriesOfPageAddressAndPermissionBits() {
        HostMapping[] ram = new HostMapping[1];
        try (SpaprRig rig = v2(ram)) {
            long a = ram[0].address().value();
            rig.container.mapDma(new DmaMap(RW, ram[0].address(), Iova.of(0x3000), 0x2000));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_WRITE, ram[0].address().plus(0x8000), Iova.of(0x5000), 0x1000));
            ByteBuffer expect = ByteBuffer.allocate(24); // big-endian by default
            expect.putLong(a | 3).putLong((a + 0x1000) | 3).putLong((a + 0x8000) | 2);
            assertArrayEquals(expect.array(), rig.iommu().table(0).rawBytes(3, 3));
            rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x3000), 0x1000));
            assertEquals(0, rig.iommu().table(0).get(3));
            assertEquals((a + 0x1000) | 3, rig.iommu().table(0).get(4));
        } finally {
            ram[0].close();
        }
    }
}
