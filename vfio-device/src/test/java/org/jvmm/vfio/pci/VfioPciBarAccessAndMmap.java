package org.jvmm.vfio.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.concurrent.atomic.AtomicInteger;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.RegionMapping;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vfio-pci: config virtualization, BAR access at index << 40, mmaps that bus-error while memory decode is off, reset")
class VfioPciBarAccessAndMmap {

    @Test
    void configRegionShowsBarSizingCommandAndMsiCapability() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            assertEquals(0x11e8_1234, rig.config(0, 4));
            rig.setConfig(0x10, 4, 0xffff_ffff);
            assertEquals(0xfff0_0000, rig.config(0x10, 4)); // 1 MiB memory BAR
            rig.setConfig(0x10, 4, 0xfea0_0000);
            assertEquals(0xfea0_0000, rig.config(0x10, 4));
            assertEquals(0, rig.config(0x04, 2));
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
            assertEquals(0x6, rig.config(0x04, 2));
            assertEquals(0x40, rig.config(0x34, 1)); // edu's MSI at the first free offset, as QEMU's msi_init
            assertEquals(0x05, rig.config(0x40, 1));
            assertEquals(0x0080, rig.config(0x42, 2));
            rig.setConfig(0x44, 4, 0xfee0_1000);
            rig.setConfig(0x4c, 2, 0x4021);
            assertEquals(0xfee0_1000, rig.config(0x44, 4));
            assertEquals(0x4021, rig.config(0x4c, 2));
            assertEquals(1, rig.config(0x3d, 1)); // INTA
            ErrnoException e = assertThrows(ErrnoException.class, () -> rig.read(VFIO_PCI_CONFIG_REGION_INDEX, 0xfe, 4));
            assertEquals(Errno.EFAULT, e.errno());
        }
    }

    @Test
    void msixCapabilityAsTheUserSeesIt() {
        try (DeviceRig rig = new DeviceRig(Hosts.MSIX_DEV)) {
            assertEquals(0x40, rig.config(0x34, 1));
            assertEquals(0x10, rig.config(0x40, 1));
            assertEquals(0x80, rig.config(0x41, 1));
            assertEquals(0xa0, rig.config(0x81, 1));
            assertEquals(0x11, rig.config(0xa0, 1));
            assertEquals(15, rig.config(0xa2, 2)); // table size - 1
            rig.setConfig(0xa2, 2, 0xffff);
            assertEquals(0xc00f, rig.config(0xa2, 2)); // enable and function mask writable only
            assertEquals(0x2000, rig.config(0xa4, 4));
            assertEquals(0x3000, rig.config(0xa8, 4));
        }
    }

    @Test
    void barReadWriteNeedsMemoryDecode() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> rig.read(0, EduDevice.REG_ID, 4));
            assertEquals(Errno.EIO, e.errno());
            assertEquals("pread", e.operation());
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY);
            assertEquals(EduDevice.ID_REGISTER, rig.read(0, EduDevice.REG_ID, 4));
            rig.write(0, EduDevice.REG_LIVENESS, 4, 0x12345678);
            assertEquals(~0x12345678 & 0xffff_ffffL, rig.read(0, EduDevice.REG_LIVENESS, 4));
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> rig.read(0, 1 << 20, 4)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> rig.read(1, 0, 4)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> rig.read(9, 0, 4)).errno());
        }
    }

    @Test
    void mmapAccessesFaultWhileDecodeIsOffAndRevocationIsAnnounced() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU); RegionMapping bar = rig.device.mmap(0, 1 << 20)) {
            AtomicInteger revoked = new AtomicInteger();
            bar.addRevokeListener(revoked::incrementAndGet);
            BusErrorException e = assertThrows(BusErrorException.class, () -> bar.read(EduDevice.REG_ID, 4));
            assertEquals(true, e.getMessage().contains("memory decode is off"), e.getMessage());
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY);
            assertEquals(EduDevice.ID_REGISTER, bar.read(EduDevice.REG_ID, 4));
            bar.write(EduDevice.REG_LIVENESS, 4, 1);
            assertEquals(0xffff_fffeL, bar.read(EduDevice.REG_LIVENESS, 4));
            rig.setConfig(0x04, 2, 0);
            assertEquals(1, revoked.get());
            assertThrows(BusErrorException.class, () -> bar.write(EduDevice.REG_LIVENESS, 4, 2));
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY); // faults back in on the next touch
            assertEquals(0xffff_fffeL, bar.read(EduDevice.REG_LIVENESS, 4));
            rig.device.reset();
            assertEquals(2, revoked.get());
            assertEquals(0xffff_ffffL, bar.read(EduDevice.REG_LIVENESS, 4)); // device state reset, config restored
        }
    }

    @Test
    void mmapArgumentsAreChecked() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            var d = rig.device;
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(0x800, 4096)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(0, 100)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(0, 2 << 20)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(7L << 40, 4096)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(1L << 40, 4096)).errno());
            RegionMapping m = d.mmap(0x1000, 0x1000);
            m.close();
            assertThrows(IllegalStateException.class, m::close);
        }
    }

    @Test
    void closedDeviceFdIsEbadf() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            rig.device.close();
            assertEquals(Errno.EBADF, assertThrows(ErrnoException.class, rig.device::getInfo).errno());
            assertThrows(IllegalStateException.class, rig.device::close);
        }
    }
}
