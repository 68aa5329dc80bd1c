package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.testing.Type1Rig;
import org.jvmm.iommu.IommuPermission;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 2 (Linux drivers/vfio/vfio_iommu_type1.c): A map overlapping any existing mapping fails
 * with EEXIST. A failed map leaves nothing behind.
 */
@DisplayName("TYPE1 rule 2: a map overlapping any mapping is EEXIST and leaves nothing behind")
class Type1Rule02OverlapIsEexist {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void overlapsAtStartInsideEndAndAroundAreEexist() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            var b = rig.ram.address();
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x10000), 0x4000));
            long[][] overlaps = {{0xf000, 0x2000}, {0x11000, 0x1000}, {0x13000, 0x2000}, {0x8000, 0x20000}, {0x10000, 0x4000}};
            for (long[] o : overlaps) {
                var e = assertErrno(Errno.EEXIST, "VFIO_IOMMU_MAP_DMA",
                        () -> rig.container.mapDma(new DmaMap(RW, b.plus(0x40000), Iova.of(o[0]), o[1])));
                assertEquals(true, e.getMessage().contains("overlaps mapping [0x10000, 0x14000)"), e.getMessage());
            }
            assertEquals(List.of(new DmaMapping(Iova.of(0x10000), 0x4000, b, IommuPermission.READ_WRITE)), rig.iommu().mappings());
            assertEquals(0x4000, rig.memlock.lockedBytes());
            var info = (Type1Info) rig.container.iommuGetInfo(4096);
            assertEquals(65534, info.capability(Type1InfoCapability.DmaAvail.class).avail());
        }
    }

    @Test
    void adjacentMappingsDoNotOverlap() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            var b = rig.ram.address();
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x10000), 0x4000));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0xc000), 0x4000));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0x14000), 0x4000));
            assertEquals(3, rig.iommu().mappingCount());
            assertEquals(3 * 0x4000, rig.memlock.lockedBytes());
        }
    }
}
