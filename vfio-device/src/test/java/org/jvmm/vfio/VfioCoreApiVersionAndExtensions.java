package org.jvmm.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.Hosts;
import org.jvmm.testing.Type1Rig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VFIO core: GET_API_VERSION is 0, CHECK_EXTENSION answers per IOMMU type, ioctl numbers as in vfio.h")
class VfioCoreApiVersionAndExtensions {

    @Test
    void ioctlNumbersArePinned() {
        assertEquals(15204, VFIO_GET_API_VERSION);
        assertEquals(15205, VFIO_CHECK_EXTENSION);
        assertEquals(15206, VFIO_SET_IOMMU);
        assertEquals(15207, VFIO_GROUP_GET_STATUS);
        assertEquals(15208, VFIO_GROUP_SET_CONTAINER);
        assertEquals(15209, VFIO_GROUP_UNSET_CONTAINER);
        assertEquals(15210, VFIO_GROUP_GET_DEVICE_FD);
        assertEquals(15211, VFIO_DEVICE_GET_INFO);
        assertEquals(15212, VFIO_DEVICE_GET_REGION_INFO);
        assertEquals(15213, VFIO_DEVICE_GET_IRQ_INFO);
        assertEquals(15214, VFIO_DEVICE_SET_IRQS);
        assertEquals(15215, VFIO_DEVICE_RESET);
        assertEquals(15216, VFIO_IOMMU_GET_INFO);
        assertEquals(15217, VFIO_IOMMU_MAP_DMA);
        assertEquals(15218, VFIO_IOMMU_UNMAP_DMA);
    }

    @Test
    void apiVersionIsZeroAndExtensionsWithoutABackendComeFromTheLoadedDrivers() {
        try (VfioContainer c = VfioContainer.open(Hosts.seed().platform())) {
            assertEquals(0, c.getApiVersion());
            assertEquals(1, c.checkExtension(VFIO_TYPE1_IOMMU));
            assertEquals(1, c.checkExtension(VFIO_TYPE1v2_IOMMU));
            assertEquals(1, c.checkExtension(VFIO_UNMAP_ALL));
            assertEquals(1, c.checkExtension(VFIO_UPDATE_VADDR));
            assertEquals(0, c.checkExtension(VFIO_DMA_CC_IOMMU));
            assertEquals(0, c.checkExtension(VFIO_SPAPR_TCE_IOMMU));
            assertEquals(0, c.checkExtension(VFIO_SPAPR_TCE_v2_IOMMU));
            assertEquals(0, c.checkExtension(VFIO_EEH));
            assertEquals(0, c.checkExtension(VFIO_NOIOMMU_IOMMU));
        }
    }

    @Test
    void withABackendTheBackendAnswers() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            assertEquals(1, rig.container.checkExtension(VFIO_DMA_CC_IOMMU));
            assertEquals(1, rig.container.checkExtension(VFIO_TYPE1_IOMMU));
            assertEquals(0, rig.container.checkExtension(VFIO_SPAPR_TCE_IOMMU));
        }
    }

    @Test
    void aClosedContainerIsEbadfAndClosingTwiceThrows() {
        VfioContainer c = VfioContainer.open(Hosts.seed().platform());
        c.close();
        assertEquals(Errno.EBADF, assertThrows(ErrnoException.class, c::getApiVersion).errno());
        assertThrows(IllegalStateException.class, c::close);
    }

    @Test
    void closingTheContainerFdWhileAGroupHoldsItKeepsTheMappingsUntilTheGroupLeaves() {
        Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU);
        rig.container.mapDma(new org.jvmm.vfio.iommu.DmaMap(VFIO_DMA_MAP_FLAG_READ, rig.ram.address(),
                org.jvmm.address.Iova.of(0), 4096));
        rig.container.close();
        assertEquals(Errno.EBADF, assertThrows(ErrnoException.class,
                () -> rig.container.unmapDma(new org.jvmm.vfio.iommu.DmaUnmap(VFIO_DMA_UNMAP_FLAG_ALL, org.jvmm.address.Iova.of(0), 0))).errno());
        assertEquals(4096, rig.memlock.lockedBytes());
        rig.group.close();
        assertEquals(0, rig.memlock.lockedBytes());
        rig.ram.close();
    }
}
