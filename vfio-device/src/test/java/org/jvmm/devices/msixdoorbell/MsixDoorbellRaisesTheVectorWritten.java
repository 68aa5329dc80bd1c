package org.jvmm.devices.msixdoorbell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.devices.msixdoorbell.MsixDoorbellDevice.*;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MSI-X doorbell: capability, registers, and a doorbell write that raises exactly the vector written")
class MsixDoorbellRaisesTheVectorWritten {
    private static final PciAddress AT = PciAddress.parse("0000:00:05.0");
    private static final ValueLayout.OfInt LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static int read(VfioDevice d, int region, long at, Arena arena) {
        MemorySegment buf = arena.allocate(4);
        d.read((long) region << VFIO_PCI_OFFSET_SHIFT | at, buf);
        return buf.get(LE, 0);
    }

    private static void write(VfioDevice d, int region, long at, int value, Arena arena) {
        MemorySegment buf = arena.allocate(4);
        buf.set(LE, 0, value);
        d.write((long) region << VFIO_PCI_OFFSET_SHIFT | at, buf);
    }

    @Test
    void capabilityRegistersAndDoorbell() {
        long fdsBefore = ProcessFds.count();
        MsixDoorbellDevice model = new MsixDoorbellDevice();
        HostPciPlatform p = HostKernel.builder()
                .memory(new HostMemoryRegistry())
                .memlock(new LockedMemoryAccount(16L << 20, false))
                .endpoint(AT.toString(), model, HostPciPlatform.VFIO_PCI, true)
                .build();
        try (Arena arena = Arena.ofConfined();
                VfioContainer container = VfioContainer.open(p);
                VfioGroup group = VfioGroup.open(p, p.iommuGroupOf(AT));
                EventFd vector0 = EventFd.create();
                EventFd vector1 = EventFd.create()) {
            group.setContainer(container);
            container.setIommu(VFIO_TYPE1v2_IOMMU);
            try (VfioDevice d = group.getDeviceFd(AT.toString())) {
                int cfg = VFIO_PCI_CONFIG_REGION_INDEX;
                int cap = read(d, cfg, PciRegs.CAPABILITY_LIST, arena) & 0xff;
                assertEquals(PciRegs.CAP_ID_MSIX, read(d, cfg, cap, arena) & 0xff);
                assertEquals(VECTORS - 1, (read(d, cfg, cap, arena) >>> 16) & PciRegs.MSIX_FLAGS_QSIZE);
                assertEquals((int) TABLE_OFFSET, read(d, cfg, cap + 4, arena));
                assertEquals((int) PBA_OFFSET, read(d, cfg, cap + 8, arena));
                assertEquals(0, read(d, cfg, PciRegs.INTERRUPT_PIN, arena) & 0xff);
                assertEquals(2, d.getIrqInfo(VFIO_PCI_MSIX_IRQ_INDEX).count());
                write(d, cfg, PciRegs.COMMAND, PciRegs.COMMAND_MEMORY, arena);

                assertEquals(ID_VALUE, read(d, 0, REG_ID, arena));
                assertEquals(-1, read(d, 0, 0x10, arena));
                write(d, 0, REG_DOORBELL, 0, arena); // MSI-X off
                assertEquals(0, model.sent());
                assertEquals(1, read(d, 0, REG_DROPPED, arena));

                d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2,
                        new IrqData.EventFds(Arrays.asList(vector0, null))));
                write(d, 0, REG_DOORBELL, 0, arena);
                write(d, 0, REG_DOORBELL, 1, arena); // sent, but VFIO has no trigger for vector 1
                write(d, 0, REG_DOORBELL, 2, arena); // no such vector
                assertEquals(1, vector0.readCount());
                assertEquals(0, vector1.readCount());
                d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 1, 1,
                        new IrqData.EventFds(Arrays.asList(vector1))));
                write(d, 0, REG_DOORBELL, 1, arena);
                assertEquals(0, vector0.readCount());
                assertEquals(1, vector1.readCount());
                assertEquals(3, read(d, 0, REG_DOORBELL, arena));
                assertEquals(2, read(d, 0, REG_DROPPED, arena));
                assertEquals(0, read(d, 0, TABLE_OFFSET + 12, arena), "the user never sees the device's table");

                d.reset();
                assertEquals(0, model.sent());
                assertEquals(0, model.dropped());
            }
        }
        assertEquals(fdsBefore, ProcessFds.count());
    }
}
