package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Found by the sPAPR reference-model test (SpaprTceRandomSequencesMatchReferenceModel). */
@DisplayName("REGISTER_MEMORY: accounted before pinned (mm_iommu_do_alloc order), an empty range is EINVAL and hides no region")
class SpaprRegisterMemoryOrderAndEmptyRanges {

    /** mm_iommu_do_alloc charges RLIMIT_MEMLOCK before it pins: ENOMEM wins over EFAULT. */
    @Test
    void rangeBothOverTheLimitAndNotTheProcesssMemoryIsEnomem() {
        try (SpaprRig rig = new SpaprRig(PnvPhbConfig.ioda2(), 1 << 20).open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            assertErrno(Errno.ENOMEM, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY",
                    () -> rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(new HostAddress(0x10_0000_0000L), 2 << 20)));
            assertEquals(0, rig.memlock.lockedBytes());
        }
    }

    @Test
    void emptyRangeAtTheStartOfARegisteredRegionIsEinvalAndTheRegionStillRefusesOverlaps() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 20)) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 0x10000));
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY",
                    () -> rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 0)));
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY",
                    () -> rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 0x1000)));
            assertEquals(1, rig.phb.preregistered().regionCount());
            assertEquals(0x10000, rig.memlock.lockedBytes());
        }
    }
}
