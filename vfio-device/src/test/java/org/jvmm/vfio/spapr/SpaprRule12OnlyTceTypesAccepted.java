package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import org.jvmm.host.Errno;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.SpaprTceDriver;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 12 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): Only IOMMU types SPAPR_TCE (v1, 2) and
 * SPAPR_TCE_v2 (7) are accepted.
 */
@DisplayName("Rule 12: the sPAPR TCE driver accepts only IOMMU types SPAPR_TCE (2) and SPAPR_TCE_v2 (7)")
class SpaprRule12OnlyTceTypesAccepted {

    @Test
    void checkExtensionAnswersTwoAndSevenAndEehButNotType1() {
        try (SpaprRig rig = new SpaprRig()) {
            assertEquals(1, rig.container.checkExtension(VFIO_SPAPR_TCE_IOMMU));
            assertEquals(1, rig.container.checkExtension(VFIO_SPAPR_TCE_v2_IOMMU));
            assertEquals(1, rig.container.checkExtension(VFIO_EEH));
            assertEquals(0, rig.container.checkExtension(VFIO_TYPE1_IOMMU));
            assertEquals(0, rig.container.checkExtension(VFIO_TYPE1v2_IOMMU));
        }
    }

    @Test
    void driverOpenRefusesEveryOtherTypeWithEinval() {
        try (SpaprRig rig = new SpaprRig()) {
            SpaprTceDriver d = new SpaprTceDriver(rig.phb);
            for (long type : new long[] {0, VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, 4, VFIO_EEH, 6, 8}) {
                assertErrno(Errno.EINVAL, "VFIO_SET_IOMMU", () -> d.open(type, rig.iommuHost));
            }
            assertEquals(false, d.open(VFIO_SPAPR_TCE_IOMMU, rig.iommuHost).isV2());
            assertEquals(true, d.open(VFIO_SPAPR_TCE_v2_IOMMU, rig.iommuHost).isV2());
        }
    }

    @Test
    void setIommuWithType1OnAPowerHostFindsNoDriverAndLeavesTheContainerUnset() {
        try (SpaprRig rig = new SpaprRig()) {
            VfioGroup g = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(SpaprRig.EDU));
            g.setContainer(rig.container);
            assertErrno(Errno.ENODEV, "VFIO_SET_IOMMU", () -> rig.container.setIommu(VFIO_TYPE1v2_IOMMU));
            assertNull(rig.container.backend());
            rig.container.setIommu(VFIO_SPAPR_TCE_v2_IOMMU);
            assertEquals(VFIO_SPAPR_TCE_v2_IOMMU, rig.container.backend().type());
            assertEquals(SpaprTceIommu.class, rig.container.backend().getClass());
            g.close();
        }
    }
}
