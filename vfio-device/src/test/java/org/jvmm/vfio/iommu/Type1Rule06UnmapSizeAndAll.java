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
 * Rule 6 (Linux drivers/vfio/vfio_iommu_type1.c): UNMAP_DMA writes the number of bytes actually
 * unmapped back into size. VFIO_DMA_UNMAP_FLAG_ALL requires iova == 0 and size == 0. The dirty-
 * bitmap flag cannot be combined with ALL or VADDR.
 */
@DisplayName("TYPE1 rule 6: UNMAP writes back the bytes unmapped; ALL needs iova = size = 0; dirty bitmap combines with neither ALL nor VADDR")
class Type1Rule06UnmapSizeAndAll {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    private static final String OP = "VFIO_IOMMU_UNMAP_DMA";

    private static void map3(Type1Rig rig) {
        var b = rig.ram.address();
        rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x10000), 0x4000));
        rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x20000), 0x2000));
        rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x30000), 0x1000));
    }

    @Test
    void sizeWrittenBackIsTheSumOfWholeMappingsRemoved() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            map3(rig);
            DmaUnmap r = rig.container.unmapDma(new DmaUnmap(0, Iova.of(0), 0x28000));
            assertEquals(new DmaUnmap(0, Iova.of(0), 0x6000), r);
            assertEquals(1, rig.iommu().mappingCount());
            assertEquals(0x1000, rig.memlock.lockedBytes());
            assertEquals(0, rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x40000), 0x1000)).size());
        }
    }

    @Test
    void unmapAllRemovesEverything() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            map3(rig);
            DmaUnmap r = rig.container.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_ALL, Iova.of(0), 0));
            assertEquals(0x7000, r.size());
            assertEquals(0, rig.iommu().mappingCount());
            assertEquals(0, rig.memlock.lockedBytes());
        }
    }

    @Test
    void unmapAllWithIovaOrSizeIsEinvalAndUnmapsNothing() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            map3(rig);
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_ALL, Iova.of(0x10000), 0)));
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_ALL, Iova.of(0), 0x1000)));
            assertEquals(3, rig.iommu().mappingCount());
        }
    }

    @Test
    void dirtyBitmapWithAllOrVaddrIsEinval() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            map3(rig);
            int dirty = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
            var e = assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(dirty | VFIO_DMA_UNMAP_FLAG_ALL, Iova.of(0), 0)));
            assertEquals(true, e.getMessage().contains("cannot be combined"), e.getMessage());
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(dirty | VFIO_DMA_UNMAP_FLAG_VADDR, Iova.of(0x10000), 0x4000)));
            assertEquals(3, rig.iommu().mappingCount());
        }
    }

    @Test
    void unknownFlagsSizeZeroMisalignmentAndWrapAreEinval() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            map3(rig);
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(0x8, Iova.of(0x10000), 0x4000)));
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0)));
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10800), 0x1000)));
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0x800)));
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(-4096L), 0x2000)));
            assertEquals(3, rig.iommu().mappingCount());
        }
    }

    @Test
    void vaddrInvalidationKeepsTheMappingAndMapVaddrRestoresIt() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            map3(rig);
            var r = rig.container.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_VADDR, Iova.of(0x10000), 0x4000));
            assertEquals(0x4000, r.size());
            assertEquals(3, rig.iommu().mappingCount());
            assertErrno(Errno.EINVAL, OP, () -> rig.container.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_VADDR, Iova.of(0x10000), 0x4000)));
            var nb = rig.ram.address().plus(0x8000);
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_VADDR, nb, Iova.of(0x10000), 0x4000));
            assertEquals(nb, rig.iommu().mappings().get(0).vaddr());
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_MAP_DMA",
                    () -> rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_VADDR, nb, Iova.of(0x10000), 0x4000)));
            assertErrno(Errno.ENOENT, "VFIO_IOMMU_MAP_DMA",
                    () -> rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_VADDR, nb, Iova.of(0x50000), 0x1000)));
        }
    }
}
