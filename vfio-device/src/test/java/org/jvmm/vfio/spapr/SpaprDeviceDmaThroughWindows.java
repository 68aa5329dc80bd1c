package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.testing.SpaprRig;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.iommu.HostIommuTlbEntry;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Device DMA through sPAPR windows: TCE translation both windows, unmapped and read-only entries fault without freezing")
class SpaprDeviceDmaThroughWindows {

    @Test
    void eduRoundTripsThroughTheDefaultAndTheDynamicWindow() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 24)) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 24));
            Iova ddw = rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 30, 1));
            rig.container.mapDma(new DmaMap(3, ram.address(), Iova.of(0x10000), 0x1000));
            long aligned = ((ram.address().value() + 0x20000) & ~0xffffL) - ram.address().value(); // a 64 KiB page
            rig.container.mapDma(new DmaMap(3, ram.address().plus(aligned), ddw, 0x10000));
            rig.enableDevice();
            byte[] pattern = new byte[4096];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 31 + 7);
            }
            MemorySegment.copy(pattern, 0, ram.segment(), ValueLayout.JAVA_BYTE, 0, 4096);
            rig.eduDma(0x10000, 0, 4096, false); // 32-bit window -> device
            rig.eduDma(ddw.value() + 0x8000, 0, 4096, true); // device -> 64-bit window, inside a 64 KiB page
            assertArrayEquals(pattern, ram.segment().asSlice(aligned + 0x8000, 4096).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(8192, rig.edu.dmaBytesMoved());
            HostIommuTlbEntry e = rig.pe().translate(Iova.of(ddw.value() + 0x8123), AccessKind.WRITE);
            assertEquals(new HostIommuTlbEntry(ddw, new HostAddress(ram.address().value() + aligned), 0xffff, IommuPermission.READ_WRITE), e);
        }
    }

    @Test
    void anUnmappedOrReadOnlyEntryFaultsMovesNothingAndDoesNotFreeze() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16)) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address(), Iova.of(0x1000), 0x1000));
            rig.enableDevice();
            ram.segment().set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
            rig.eduDma(0x1000, 0, 8, true); // write into a read-only page
            assertEquals(FaultReason.PERMISSION, rig.platform.faults().last().reason());
            assertEquals(0x1122334455667788L, ram.segment().get(ValueLayout.JAVA_LONG, 0));
            rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x1000), 0x1000));
            rig.eduDma(0x1000, 0, 8, false);
            assertEquals(FaultReason.UNMAPPED, rig.platform.faults().last().reason());
            assertEquals(0, rig.edu.dmaBytesMoved());
            assertEquals(0, rig.pe().freezeCount());
            assertEquals(EduDevice.ID_REGISTER, rig.eduRead(EduDevice.REG_ID, 4));
        }
    }
}
