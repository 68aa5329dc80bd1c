package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.pci.host.IovaRange;
import org.jvmm.testing.Type1Rig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 4 (Linux drivers/vfio/vfio_iommu_type1.c): An iova outside the reported IOVA ranges
 * (IOVA_RANGE capability) fails with EINVAL.
 */
@DisplayName("TYPE1 rule 4: an IOVA outside the reported IOVA ranges is EINVAL")
class Type1Rule04IovaRanges {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void rangesAreTheApertureMinusTheMsiWindowAndMapsOutsideFail() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            var info = (Type1Info) rig.container.iommuGetInfo(4096);
            assertEquals(List.of(new IovaRange(0, 0xfedf_ffffL), new IovaRange(0xfef0_0000L, (1L << 48) - 1)),
                    info.capability(Type1InfoCapability.IovaRanges.class).ranges());
            var b = rig.ram.address();
            String op = "VFIO_IOMMU_MAP_DMA";
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, b, Iova.of(0xfee0_0000L), 4096)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, b, Iova.of(0xfedf_f000L), 8192)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, b, Iova.of(1L << 48), 4096)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.mapDma(new DmaMap(RW, b, Iova.of((1L << 48) - 4096), 8192)));
            assertEquals(0, rig.iommu().mappingCount());
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0xfedf_f000L), 4096));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(0xfef0_0000L), 4096));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of((1L << 48) - 4096), 4096));
            assertEquals(3, rig.iommu().mappingCount());
        }
    }
}
