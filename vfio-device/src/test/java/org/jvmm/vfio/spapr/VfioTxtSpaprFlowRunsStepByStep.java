package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.GroupStatus;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.EehPeOp;
import org.jvmm.vfio.iommu.SpaprTceInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Documentation/vfio.txt's PPC64 sPAPR code flow (seed 004), step by step: SPAPR_TCE IOMMU, GET_INFO, ENABLE, 1 MB at iova 0, reset, EEH enable and recovery")
class VfioTxtSpaprFlowRunsStepByStep {

    @Test
    void theDocumentedFlowWorksAsWritten() {
        try (SpaprRig rig = new SpaprRig(); HostMapping buf = rig.memory.allocate("dma", 1 << 20)) {
            var container = rig.container;
            assertEquals(VFIO_API_VERSION, container.getApiVersion());
            assertEquals(1, container.checkExtension(VFIO_SPAPR_TCE_IOMMU));
            VfioGroup group = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(SpaprRig.EDU));
            GroupStatus status = group.getStatus();
            assertEquals(VFIO_GROUP_FLAGS_VIABLE, status.flags() & VFIO_GROUP_FLAGS_VIABLE);
            group.setContainer(container);
            container.setIommu(VFIO_SPAPR_TCE_IOMMU);
            SpaprTceInfo info = (SpaprTceInfo) container.iommuGetInfo(SpaprTceInfo.MIN_SIZE);
            assertEquals(0, info.dma32WindowStart());
            assertEquals(1L << 30, info.dma32WindowSize());
            container.iommuEnable();
            // "Check here is .iova/.size are within DMA window from spapr_iommu_info"
            container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, buf.address(), Iova.of(0), 1 << 20));
            var device = group.getDeviceFd(SpaprRig.EDU.toString());
            rig.device = device;
            rig.group = group;
            device.reset();
            assertEquals(1, container.checkExtension(VFIO_EEH));
            assertEquals(0, container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_ENABLE)));
            assertEquals(VFIO_EEH_PE_STATE_NORMAL, container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_GET_STATE)));

            // work: the edu copies 64 bytes from iova 0x100 to iova 0x800 through the mapping
            rig.enableDevice();
            byte[] pattern = new byte[64];
            for (int i = 0; i < 64; i++) {
                pattern[i] = (byte) (3 * i + 1);
            }
            MemorySegment.copy(pattern, 0, buf.segment(), ValueLayout.JAVA_BYTE, 0x100, 64);
            rig.eduDma(0x100, 0, 64, false);
            rig.eduDma(0x800, 0, 64, true);
            assertArrayEquals(pattern, buf.segment().asSlice(0x800, 64).toArray(ValueLayout.JAVA_BYTE));

            // an error: 0xFF's from the BARs; the PE state says frozen
            rig.eduDma(3L << 30, 0, 8, false);
            assertEquals(0xffff_ffffL, rig.read(0, EduDevice.REG_ID, 4));
            assertEquals(VFIO_EEH_PE_STATE_STOPPED, container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_GET_STATE)));
            // recovery, in the document's order
            container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_UNFREEZE_IO));
            container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_RESET_HOT));
            container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_RESET_DEACTIVATE));
            container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_CONFIGURE));
            assertEquals(VFIO_EEH_PE_STATE_NORMAL, container.eehPeOp(EehPeOp.of(VFIO_EEH_PE_GET_STATE)));
            assertEquals(EduDevice.ID_REGISTER, rig.eduRead(EduDevice.REG_ID, 4));
            buf.segment().asSlice(0x800, 64).fill((byte) 0);
            rig.eduDma(0x100, 0, 64, false);
            rig.eduDma(0x800, 0, 64, true);
            assertArrayEquals(pattern, buf.segment().asSlice(0x800, 64).toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
