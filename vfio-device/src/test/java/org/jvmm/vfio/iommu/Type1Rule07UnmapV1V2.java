package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.testing.Type1Rig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 7 (Linux drivers/vfio/vfio_iommu_type1.c): TYPE1v2: an unmap range that would split an
 * existing mapping at either end fails with EINVAL. TYPE1 (v1): a request that starts inside a
 * mapping succeeds and unmaps 0 bytes.
 */
@DisplayName("TYPE1 rule 7: v2 refuses to split a mapping at either end; v1 unmaps 0 bytes for a request starting inside one")
class Type1Rule07UnmapV1V2 {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void v2RejectsSplittingAMappingAtItsStart() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            rig.container.mapDma(new DmaMap(RW, rig.ram.address(), Iova.of(0x10000), 0x4000));
            var e = assertErrno(Errno.EINVAL, "VFIO_IOMMU_UNMAP_DMA",
                    () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x11000), 0x3000)));
            assertEquals(true, e.getMessage().contains("split mapping [0x10000, 0x14000)"), e.getMessage());
            assertEquals(1, rig.iommu().mappingCount());
        }
    }

    @Test
    void v2RejectsSplittingAMappingAtItsEnd() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            var b = rig.ram.address();
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x10000), 0x4000));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x20000), 0x4000));
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_UNMAP_DMA", () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0x12000)));
            assertEquals(2, rig.iommu().mappingCount());
            assertEquals(0x8000, rig.memlock.lockedBytes());
        }
    }

    @Test
    void v2UnmapsSeveralWholeMappingsAndZeroWhenNoneInRange() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            var b = rig.ram.address();
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x10000), 0x4000));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x20000), 0x4000));
            assertEquals(0, rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x14000), 0x4000)).size());
            assertEquals(0x8000, rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x8000), 0x20000)).size());
            assertEquals(0, rig.iommu().mappingCount());
        }
    }

    @Test
    void v1RequestStartingInsideAMappingSucceedsWithZeroBytes() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1_IOMMU)) {
            rig.container.mapDma(new DmaMap(RW, rig.ram.address(), Iova.of(0x10000), 0x4000));
            DmaUnmap r = rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x11000), 0x1000));
            assertEquals(0, r.size());
            assertEquals(1, rig.iommu().mappingCount());
        }
    }

    @Test
    void v1RequestCoveringTheFirstIovaUnmapsTheWholeMapping() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1_IOMMU)) {
            rig.container.mapDma(new DmaMap(RW, rig.ram.address(), Iova.of(0x10000), 0x4000));
            DmaUnmap r = rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0x1000));
            assertEquals(0x4000, r.size());
            assertEquals(0, rig.iommu().mappingCount());
            assertEquals(0, rig.memlock.lockedBytes());
        }
    }
}
