package org.jvmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_BAR0_REGION_INDEX;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.RegionMapping;

/**
 * Offsets, lengths and values a guest or a user hands the device models and vfio-pci are unsigned
 * and checked without overflow: a BAR offset past 4 GiB does not alias a register through an int
 * cast, a doorbell vector beyond the MSI-X table is dropped and logged as a guest error, and an
 * mmap length or a mapping offset near 2^63 is refused rather than wrapping into range.
 */
@DisplayName("device models and vfio-pci: offsets past the BAR, huge vectors and near-2^63 lengths are refused, not aliased or wrapped")
class DeviceModelBoundsAreUnsigned {

    private static final class MsixOn implements InterruptSink {
        int sent;

        public void setIntx(boolean asserted) {
        }

        public boolean msiEnabled() {
            return false;
        }

        public boolean msixEnabled() {
            return true;
        }

        public void signalMsi(int vector) {
            sent++;
        }
    }

    @Test
    void aDoorbellVectorBeyondTheTableIsDroppedAndLoggedAsAGuestError() {
        MsixDoorbellDevice d = new MsixDoorbellDevice();
        MsixOn sink = new MsixOn();
        d.connect(null, sink);
        d.barWrite(0, MsixDoorbellDevice.REG_DOORBELL, 4, 1);
        d.barWrite(0, MsixDoorbellDevice.REG_DOORBELL, 4, MsixDoorbellDevice.VECTORS);
        d.barWrite(0, MsixDoorbellDevice.REG_DOORBELL, 4, 0xffff_ffffL);
        assertEquals(1, sink.sent);
        assertEquals(2, d.dropped());
        assertEquals(2, d.guestErrors().count());
        assertEquals("doorbell-vector: doorbell write of vector 0xffffffff beyond the 2-entry MSI-X table; dropped",
                d.guestErrors().last());
        assertEquals(0xffff_ffffL, d.barRead(0, (1L << 32) | MsixDoorbellDevice.REG_DOORBELL, 4), "no alias past 4 GiB");
        assertEquals(0xffff_ffffL, d.barRead(0, -4L, 4));
    }

    @Test
    void anIvshmemRegisterOffsetPast4GiBDoesNotAliasARegister() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping shared = registry.allocate("shm", 1L << 20)) {
            IvshmemPlainDevice d = new IvshmemPlainDevice(shared);
            d.barWrite(0, IvshmemPlainDevice.REG_INTR_MASK, 4, 0x55);
            d.barWrite(0, (1L << 32) | IvshmemPlainDevice.REG_INTR_MASK, 4, 0xaa);
            assertEquals(0x55, d.barRead(0, IvshmemPlainDevice.REG_INTR_MASK, 4));
            assertEquals(0, d.barRead(0, (1L << 32) | IvshmemPlainDevice.REG_INTR_MASK, 4));
        }
    }

    @Test
    void anMmapLengthNear2To63IsEinvalAndAMappingOffsetNear2To63IsRefused() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
            long bar0 = DeviceRig.offset(VFIO_PCI_BAR0_REGION_INDEX, 0);
            ErrnoException e = assertThrows(ErrnoException.class, () -> rig.device.mmap(bar0 + 0x1000, 0x7fff_ffff_ffff_f000L));
            assertEquals(Errno.EINVAL, e.errno());
            RegionMapping map = rig.device.mmap(bar0, 1L << 20);
            IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                    () -> map.read(Long.MAX_VALUE - 3, 8));
            assertEquals("access of 8 bytes at 0x7ffffffffffffffc outside the 0x100000-byte mapping", outside.getMessage());
            assertThrows(IllegalArgumentException.class, () -> map.write(Long.MAX_VALUE - 3, 8, 0));
            assertEquals(0x010000ed, map.read(0, 4));
            map.close();
        }
    }
}
