package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmm.host.Errno;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.iommu.SpaprTceDriver;
import org.jvmm.vfio.iommu.SpaprTceInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 15 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): GET_INFO with no group attached is ENXIO;
 * it reports dma32_window_start/size, and for v2 also the DDW block (pgsizes,
 * max_dynamic_windows_supported, levels).
 */
@DisplayName("Rule 15: SPAPR_TCE_GET_INFO is ENXIO without a group; reports the 32-bit window, and for v2 the DDW block")
class SpaprRule15GetInfo {

    @Test
    void withNoGroupAttachedItIsEnxio() {
        try (SpaprRig rig = new SpaprRig()) {
            var backend = new SpaprTceDriver(rig.phb).open(VFIO_SPAPR_TCE_v2_IOMMU, rig.iommuHost);
            assertErrno(Errno.ENXIO, "VFIO_IOMMU_SPAPR_TCE_GET_INFO", () -> backend.getInfo(32));
        }
    }

    @Test
    void argszBelowSixteenIsEinval() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_IOMMU)) {
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_SPAPR_TCE_GET_INFO", () -> rig.container.iommuGetInfo(15));
        }
    }

    @Test
    void v1ReportsTheWindowWithoutTheDdwBlock() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_IOMMU)) {
            SpaprTceInfo info = (SpaprTceInfo) rig.container.iommuGetInfo(32);
            assertEquals(new SpaprTceInfo(32, 0, 0, 1L << 30, 0, 0, 0), info);
        }
    }

    @Test
    void v2ReportsTheDdwBlockWhenArgszCoversIt() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            SpaprTceInfo info = (SpaprTceInfo) rig.container.iommuGetInfo(32);
            assertEquals(VFIO_IOMMU_SPAPR_INFO_DDW, info.flags());
            assertEquals(0, info.dma32WindowStart());
            assertEquals(1L << 30, info.dma32WindowSize());
            assertEquals((1L << 12) | (1L << 16) | (1L << 24), info.ddwPgsizes());
            assertEquals(2, info.maxDynamicWindowsSupported());
            assertEquals(5, info.ddwLevels());
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(32).putInt(1).putInt(0).putInt(1 << 30).putLong(0x1011000L).putInt(2).putInt(5);
            assertArrayEquals(b.array(), info.encode());
            byte[] small = ((SpaprTceInfo) rig.container.iommuGetInfo(16)).encode();
            assertEquals(16, small.length);
        }
    }
}
