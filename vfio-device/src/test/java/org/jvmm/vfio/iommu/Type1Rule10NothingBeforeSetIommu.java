package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 10 (Linux drivers/vfio/vfio_iommu_type1.c): MAP_DMA before SET_IOMMU fails (EINVAL);
 * SET_IOMMU needs a group in the container.
 */
@DisplayName("TYPE1 rule 10: IOMMU ioctls before SET_IOMMU are EINVAL; SET_IOMMU needs a group")
class Type1Rule10NothingBeforeSetIommu {

    @Test
    void mapUnmapAndInfoBeforeSetIommuAreEinval() {
        var memory = new HostMemoryRegistry();
        var seed = Hosts.seed(memory, new LockedMemoryAccount(1 << 20, false));
        try (var ram = memory.allocate("ram", 4096); var c = VfioContainer.open(seed.platform())) {
            var map = new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address(), Iova.of(0), 4096);
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_MAP_DMA", () -> c.mapDma(map));
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_UNMAP_DMA", () -> c.unmapDma(new DmaUnmap(0, Iova.of(0), 4096)));
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_GET_INFO", () -> c.iommuGetInfo(4096));
            assertErrno(Errno.EINVAL, "VFIO_SET_IOMMU", () -> c.setIommu(VFIO_TYPE1v2_IOMMU));
            seed.platform().unbind(Hosts.EDU);
            seed.platform().newId("vfio-pci", 0x1234, 0x11e8);
            try (var g = VfioGroup.open(seed.platform(), seed.platform().iommuGroupOf(Hosts.EDU))) {
                g.setContainer(c);
                assertErrno(Errno.EINVAL, "VFIO_IOMMU_MAP_DMA", () -> c.mapDma(map));
                assertErrno(Errno.ENODEV, "VFIO_SET_IOMMU", () -> c.setIommu(VFIO_SPAPR_TCE_IOMMU));
                c.setIommu(VFIO_TYPE1v2_IOMMU);
                assertErrno(Errno.EINVAL, "VFIO_SET_IOMMU", () -> c.setIommu(VFIO_TYPE1v2_IOMMU));
                c.mapDma(map);
                assertEquals(4096, seed.platform().memlock().lockedBytes());
            }
            assertEquals(0, seed.platform().memlock().lockedBytes());
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_MAP_DMA", () -> c.mapDma(map));
        }
    }
}
