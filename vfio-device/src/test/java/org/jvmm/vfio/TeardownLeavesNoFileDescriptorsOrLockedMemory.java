package org.jvmm.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.sys.EventFd;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.iommu.DmaMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Teardown: a full VFIO session (memory, eventfds, mmaps, DMA) leaves no fd open and no memory locked")
class TeardownLeavesNoFileDescriptorsOrLockedMemory {

    private static long session() {
        DeviceRig rig = new DeviceRig(Hosts.EDU);
        HostMapping ram = rig.memory.allocate("ram", 1 << 20);
        rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        EventFd msi = rig.eventfd();
        EventFd err = rig.eventfd();
        rig.device.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.eventfds(msi)));
        rig.device.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, IrqData.eventfds(err)));
        rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0), 1 << 20));
        RegionMapping bar = rig.device.mmap(0, 1 << 20);
        bar.write(EduDevice.REG_DMA_SRC, 8, 0x1000);
        bar.write(EduDevice.REG_DMA_DST, 8, EduDevice.DMA_BUFFER_START);
        bar.write(EduDevice.REG_DMA_COUNT, 8, 64);
        bar.write(EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_IRQ);
        long signalled = msi.readCount();
        bar.close();
        rig.close();
        ram.close();
        assertEquals(0, rig.memlock.lockedBytes());
        assertEquals(0, rig.memory.mappingCount());
        return signalled;
    }

    @Test
    void noFdLeakAndLockedMemoryBackToZero() {
        assertEquals(1, session()); // warm up class loading and lazily opened files
        long before = ProcessFds.count();
        for (int i = 0; i < 5; i++) {
            assertEquals(1, session());
        }
        assertEquals(before, ProcessFds.count());
    }
}
