package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.testing.Type1Rig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 5 (Linux drivers/vfio/vfio_iommu_type1.c): Pinned pages are charged to the locked-memory
 * limit (RLIMIT_MEMLOCK) unless privileged; over it, ENOMEM. Unmapping and container teardown give
 * every charged page back.
 */
@DisplayName("TYPE1 rule 5: pinned pages are charged to RLIMIT_MEMLOCK (ENOMEM past it unless privileged) and all come back")
class Type1Rule05LockedMemoryAccounting {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void overTheLimitIsEnomemAndLeavesNothing() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU, 1 << 20, 64 << 10)) {
            var b = rig.ram.address();
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0), 48 << 10));
            assertEquals(48 << 10, rig.memlock.lockedBytes());
            var e = assertErrno(Errno.ENOMEM, "VFIO_IOMMU_MAP_DMA",
                    () -> rig.container.mapDma(new DmaMap(RW, b, Iova.of(1 << 20), 32 << 10)));
            assertEquals(true, e.getMessage().contains("RLIMIT_MEMLOCK 0x10000"), e.getMessage());
            assertEquals(48 << 10, rig.memlock.lockedBytes());
            assertEquals(1, rig.iommu().mappingCount());
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(1 << 20), 16 << 10));
            assertEquals(64 << 10, rig.memlock.lockedBytes());
        }
    }

    @Test
    void privilegedIsChargedButNotLimited() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU, 1 << 20, 4096)) {
            rig.memlock.setPrivileged(true);
            rig.container.mapDma(new DmaMap(RW, rig.ram.address(), Iova.of(0), 1 << 20));
            assertEquals(1 << 20, rig.memlock.lockedBytes());
            rig.container.unmapDma(new DmaUnmap(0, Iova.of(0), 1 << 20));
            assertEquals(0, rig.memlock.lockedBytes());
        }
    }

    @Test
    void unmapGivesPagesBackAndTeardownReturnsToZero() {
        Type1Rig rig = Type1Rig.open(VFIO_TYPE1_IOMMU);
        var b = rig.ram.address();
        rig.container.mapDma(new DmaMap(RW, b, Iova.of(0), 0x8000));
        rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x100000), 0x10000));
        assertEquals(0x18000, rig.memlock.lockedBytes());
        rig.container.unmapDma(new DmaUnmap(0, Iova.of(0), 0x8000));
        assertEquals(0x10000, rig.memlock.lockedBytes());
        rig.close(); // group leaves: backend released
        assertEquals(0, rig.memlock.lockedBytes());
        assertEquals(null, rig.seed.platform().group(rig.group.id()).dmaDomain());
    }

    @Test
    void theSameMemoryMappedTwiceIsChargedTwice() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            var b = rig.ram.address();
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0), 0x4000));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x4000), 0x4000));
            assertEquals(0x8000, rig.memlock.lockedBytes());
        }
    }
}
