package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.jvmm.vfio.iommu.SpaprTceRemove;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 17 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): TCE_CREATE: EINVAL for an unsupported page
 * shift, ENOSPC with no free window slot (2 windows); returns the window's start address.
 * TCE_REMOVE of an unknown start is EINVAL. The default window is created lazily.
 */
@DisplayName("Rule 17: TCE_CREATE/REMOVE: lazy default window, page shifts from the mask, at most 2 windows, unknown start EINVAL")
class SpaprRule17CreateAndRemoveWindows {
    private static final String CREATE = "VFIO_IOMMU_SPAPR_TCE_CREATE";
    private static final String REMOVE = "VFIO_IOMMU_SPAPR_TCE_REMOVE";

    @Test
    void theDefaultWindowIsCreatedLazilyBesideTheFirstDynamicWindow() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            assertTrue(rig.iommu().defaultWindowPending());
            assertNull(rig.iommu().table(0));
            assertNull(rig.pe().window(0));
            Iova start = rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 32, 1));
            assertEquals(Iova.of(1L << 59), start);
            assertFalse(rig.iommu().defaultWindowPending());
            assertEquals(12, rig.iommu().table(0).pageShift());
            assertEquals(1L << 30, rig.iommu().table(0).windowSize());
            assertEquals(16, rig.iommu().table(1).pageShift());
            assertEquals(1L << 32, rig.iommu().table(1).windowSize());
            assertSame(rig.iommu().table(1), rig.pe().window(1));
            // the tables are charged: 256 Ki entries (2 MiB) + 64 Ki entries (512 KiB)
            assertEquals((2L << 20) + (512L << 10), rig.memlock.lockedBytes());
        }
    }

    @Test
    void anUnsupportedPageShiftOrTableShapeIsEinvalAndLeavesNoWindow() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            rig.container.spaprTceRemove(SpaprTceRemove.of(Iova.of(0))); // drop the pending default
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(13, 1L << 30, 1)));
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(21, 1L << 30, 1)));
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 30, 0)));
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 30, 6)));
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(16, 3L << 30, 1)));
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(24, 1L << 20, 1)));
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(new SpaprTceCreate(40, 1, 16, 1L << 30, 1)));
            assertErrno(Errno.EINVAL, CREATE, () -> rig.container.spaprTceCreate(new SpaprTceCreate(39, 0, 16, 1L << 30, 1)));
            assertNull(rig.iommu().table(0));
            assertNull(rig.iommu().table(1));
            assertEquals(0, rig.memlock.lockedBytes());
        }
    }

    @Test
    void aThirdWindowIsEnospc() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            rig.container.spaprTceCreate(SpaprTceCreate.of(24, 1L << 36, 2));
            assertErrno(Errno.ENOSPC, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 30, 1)));
        }
    }

    @Test
    void removeOfAnUnknownStartIsEinvalAndRemovingFreesTheSlot() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            Iova ddw = rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 32, 1));
            assertErrno(Errno.EINVAL, REMOVE, () -> rig.container.spaprTceRemove(SpaprTceRemove.of(Iova.of(1L << 40))));
            assertErrno(Errno.EINVAL, REMOVE, () -> rig.container.spaprTceRemove(new SpaprTceRemove(16, 2, ddw)));
            rig.container.spaprTceRemove(SpaprTceRemove.of(ddw));
            assertNull(rig.iommu().table(1));
            assertNull(rig.pe().window(1));
            assertEquals(2L << 20, rig.memlock.lockedBytes());
            assertEquals(ddw, rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 32, 1)));
        }
    }

    @Test
    void createAndRemoveAreNotIoctlsOfV1() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_IOMMU)) {
            assertErrno(Errno.ENOTTY, CREATE, () -> rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 32, 1)));
            assertErrno(Errno.ENOTTY, REMOVE, () -> rig.container.spaprTceRemove(SpaprTceRemove.of(Iova.of(0))));
        }
    }
}
