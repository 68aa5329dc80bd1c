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
 * Rule 11 (Linux drivers/vfio/vfio_iommu_type1.c): pin_pages (for mdev vendor drivers): EACCES on
 * v1, EPERM on a permission mismatch.
 */
@DisplayName("TYPE1 rule 11: pin_pages is EACCES on v1, EPERM on a permission mismatch, EINVAL unmapped or without a device")
class Type1Rule11PinPages {
    private static final String OP = "vfio_pin_pages";

    @Test
    void v1IsEacces() throws Exception {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1_IOMMU)) {
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, rig.ram.address(), Iova.of(0), 4096));
            try (AutoCloseable reg = rig.iommu().registerDevice((i, s) -> { })) {
                assertErrno(Errno.EACCES, OP, () -> rig.iommu().pinPages(Iova.of(0), 1, IommuPermission.READ));
            }
        }
    }

    @Test
    void permissionMismatchIsEpermAndNothingStaysPinned() throws Exception {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            var b = rig.ram.address();
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, b, Iova.of(0), 4096));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, b.plus(4096), Iova.of(4096), 4096));
            try (AutoCloseable reg = rig.iommu().registerDevice((i, s) -> { })) {
                assertErrno(Errno.EPERM, OP, () -> rig.iommu().pinPages(Iova.of(0), 2, IommuPermission.WRITE));
                assertEquals(0, rig.iommu().externallyPinnedPages());
                assertErrno(Errno.EINVAL, OP, () -> rig.iommu().pinPages(Iova.of(0), 3, IommuPermission.READ));
                assertEquals(0, rig.iommu().externallyPinnedPages());
                assertErrno(Errno.E2BIG, OP, () -> rig.iommu().pinPages(Iova.of(0), 513, IommuPermission.READ));
                assertEquals(List.of(b, b.plus(4096)), rig.iommu().pinPages(Iova.of(0), 2, IommuPermission.READ));
                assertEquals(2, rig.iommu().externallyPinnedPages());
                rig.iommu().unpinPages(Iova.of(0), 2);
                assertEquals(0, rig.iommu().externallyPinnedPages());
            }
        }
    }

    @Test
    void withoutARegisteredDeviceIsEinval() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, rig.ram.address(), Iova.of(0), 4096));
            assertErrno(Errno.EINVAL, OP, () -> rig.iommu().pinPages(Iova.of(0), 1, IommuPermission.READ));
        }
    }
}
