package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 13 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): v1: one group per container (EBUSY for a
 * second); MAP/UNMAP need VFIO_IOMMU_ENABLE first (EPERM otherwise); ENABLE does the locked-memory
 * accounting of the whole 32-bit window.
 */
@DisplayName("Rule 13: v1 takes one group per container, MAP/UNMAP need ENABLE, ENABLE accounts the whole 32-bit window")
class SpaprRule13V1OneGroupAndEnableAccounting {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void aSecondGroupIsEbusyAndStaysOutOfTheContainer() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_IOMMU)) {
            VfioGroup second = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(SpaprRig.EDU_2));
            assertErrno(Errno.EBUSY, "VFIO_GROUP_SET_CONTAINER", () -> second.setContainer(rig.container));
            assertEquals(1, rig.container.groupCount());
            assertEquals(0, second.getStatus().flags() & VFIO_GROUP_FLAGS_CONTAINER_SET);
            second.close();
        }
    }

    @Test
    void mapAndUnmapBeforeEnableAreEperm() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16)) {
            assertErrno(Errno.EPERM, "VFIO_IOMMU_MAP_DMA",
                    () -> rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0), 4096)));
            assertErrno(Errno.EPERM, "VFIO_IOMMU_UNMAP_DMA", () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0), 4096)));
            rig.container.iommuEnable();
            rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0), 4096));
            assertEquals(ram.address().value() | 3, rig.iommu().table(0).get(0));
        }
    }

    @Test
    void enableChargesTheWindowDisableGivesItBackAndASecondEnableIsEbusy() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_IOMMU)) {
            assertEquals(0, rig.memlock.lockedBytes());
            rig.container.iommuEnable();
            assertEquals(1L << 30, rig.memlock.lockedBytes());
            assertErrno(Errno.EBUSY, "VFIO_IOMMU_ENABLE", rig.container::iommuEnable);
            assertEquals(1L << 30, rig.memlock.lockedBytes());
            rig.container.iommuDisable();
            assertEquals(0, rig.memlock.lockedBytes());
            assertFalse(rig.iommu().enabled());
            rig.container.iommuEnable();
            rig.device.close();
            rig.group.close(); // the last group leaves: the container is released and disabled
            rig.group = null;
            assertEquals(0, rig.memlock.lockedBytes());
        }
    }

    @Test
    void enableOverTheLockedMemoryLimitIsEnomemAndLeavesTheContainerDisabled() {
        try (SpaprRig rig = new SpaprRig(PnvPhbConfig.ioda2(), 256L << 20).open(VFIO_SPAPR_TCE_IOMMU)) {
            assertErrno(Errno.ENOMEM, "VFIO_IOMMU_ENABLE", rig.container::iommuEnable);
            assertFalse(rig.iommu().enabled());
            assertEquals(0, rig.memlock.lockedBytes());
            rig.memlock.setPrivileged(true);
            rig.container.iommuEnable();
            assertTrue(rig.iommu().enabled());
        }
    }

    @Test
    void enableAndDisableAreNotIoctlsOfV2() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            assertErrno(Errno.ENOTTY, "VFIO_IOMMU_ENABLE", rig.container::iommuEnable);
            assertErrno(Errno.ENOTTY, "VFIO_IOMMU_DISABLE", rig.container::iommuDisable);
        }
    }

    @Test
    void v1MapsPinnedMemoryWithoutPreRegistrationButNotForeignAddresses() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_IOMMU)) {
            rig.container.iommuEnable();
            assertErrno(Errno.EFAULT, "VFIO_IOMMU_MAP_DMA",
                    () -> rig.container.mapDma(new DmaMap(RW, new HostAddress(0x7000_0000_0000L), Iova.of(0x1000), 4096)));
            assertEquals(0, rig.iommu().table(0).get(1));
        }
    }
}
