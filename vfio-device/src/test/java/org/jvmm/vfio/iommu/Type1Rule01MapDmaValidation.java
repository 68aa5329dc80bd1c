package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.testing.Type1Rig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 1 (Linux drivers/vfio/vfio_iommu_type1.c): MAP_DMA fails with EINVAL for unknown flags, no
 * READ/WRITE permission, size 0, iova/vaddr/size not aligned to the smallest supported page size,
 * or iova+size / vaddr+size wrapping around.
 */
@DisplayName("TYPE1 rule 1: MAP_DMA rejects bad flags, no permission, size 0, misalignment and wraparound with EINVAL")
class Type1Rule01MapDmaValidation {
    private static final String OP = "VFIO_IOMMU_MAP_DMA";
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    private Type1Rig rig;
    private HostAddress base;

    @BeforeEach
    void open() {
        rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU);
        base = rig.ram.address();
    }

    @AfterEach
    void close() {
        rig.close();
    }

    private void assertNothingMapped() {
        assertEquals(0, rig.iommu().mappingCount());
        assertEquals(0, rig.memlock.lockedBytes());
    }

    @Test
    void unknownFlagIsEinval() {
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW | 0x8, base, Iova.of(0), 4096)));
        assertNothingMapped();
    }

    @Test
    void noReadOrWritePermissionIsEinval() {
        var e = assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(0, base, Iova.of(0), 4096)));
        assertTrue(e.getMessage().contains("iova=0x0"), e.getMessage());
        assertNothingMapped();
    }

    @Test
    void vaddrFlagWithPermissionIsEinval() {
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(
                new DmaMap(RW | VFIO_DMA_MAP_FLAG_VADDR, base, Iova.of(0), 4096)));
        assertNothingMapped();
    }

    @Test
    void sizeZeroIsEinval() {
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, base, Iova.of(0), 0)));
        assertNothingMapped();
    }

    @Test
    void iovaVaddrOrSizeNotPageAlignedIsEinval() {
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, base, Iova.of(0x800), 4096)));
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, base.plus(0x10), Iova.of(0), 4096)));
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, base, Iova.of(0), 4095)));
        assertNothingMapped();
    }

    @Test
    void iovaWraparoundIsEinval() {
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, base, Iova.of(-4096L), 8192)));
        assertNothingMapped();
    }

    @Test
    void vaddrWraparoundIsEinval() {
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, HostAddress.of(-4096L), Iova.of(0), 8192)));
        assertNothingMapped();
    }

    @Test
    void readOnlyWriteOnlyAndReadWriteAreAccepted() {
        rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, base, Iova.of(0), 4096));
        rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_WRITE, base.plus(4096), Iova.of(4096), 4096));
        rig.container.mapDma(new DmaMap(RW, base.plus(8192), Iova.of(8192), 4096));
        assertEquals(3, rig.iommu().mappingCount());
        assertEquals(3 * 4096, rig.memlock.lockedBytes());
    }

    @Test
    void vaddrOutsideEveryProcessMappingIsEfault() {
        assertErrno(Errno.EFAULT, OP, () -> rig.container.mapDma(new DmaMap(RW, base.plus(1 << 20), Iova.of(0), 4096)));
        assertErrno(Errno.EFAULT, OP, () -> rig.container.mapDma(new DmaMap(RW, base, Iova.of(0), 2 << 20)));
        assertNothingMapped();
    }
}
