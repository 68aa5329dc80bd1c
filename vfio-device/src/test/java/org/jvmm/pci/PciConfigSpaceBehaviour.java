package org.jvmm.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jvmm.testing.SimpleFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PCI config space: identity read-only, BAR sizing, writable command bits, capability list")
class PciConfigSpaceBehaviour {
    @Test
    void barSizingReturnsTheSizeMaskAndTypeBits() {
        var f = new SimpleFunction(PciIdentity.of(0x1234, 0x5678, 0x020000, 2), true, 4,
                new MsixSpec(16, 0, 0x2000, 0, 0x3000), 0x4000, true);
        var c = new PciConfigSpace(f, false);
        assertEquals(4096, c.size());
        c.write(0x10, 4, 0xffff_ffff);
        assertEquals(0xffff_c000, c.read(0x10, 4));
        c.write(0x20, 4, 0xffff_ffff);
        assertEquals(0xffff_ffe1, c.read(0x20, 4)); // 32-byte I/O BAR
        c.write(0x10, 4, 0xfebf_0000);
        assertEquals(0xfebf_0000L, c.barAddress(0));
        c.write(0x14, 4, 0xffff_ffff); // not implemented: stays 0
        assertEquals(0, c.read(0x14, 4));
    }

    @Test
    void sixtyFourBitBarSizesAcrossBothRegisters() {
        try (var shared = new org.jvmm.host.memory.HostMemoryRegistry().allocate("s", 1 << 20)) {
        var c = new PciConfigSpace(new org.jvmm.devices.ivshmem.IvshmemPlainDevice(shared), false);
        c.write(0x18, 4, 0xffff_ffff);
        c.write(0x1c, 4, 0xffff_ffff);
        assertEquals(0xfff0_000c, c.read(0x18, 4));
        assertEquals(0xffff_ffff, c.read(0x1c, 4));
        c.write(0x18, 4, 0x0);
        c.write(0x1c, 4, 0x1);
        assertEquals(0x1_0000_0000L, c.barAddress(2));
        }
    }

    @Test
    void identityIsReadOnlyAndCommandBitsAreWritable() {
        var c = new PciConfigSpace(new org.jvmm.devices.edu.EduDevice(), false);
        c.write(0x00, 4, 0);
        assertEquals(0x11e8_1234, c.read(0x00, 4));
        c.write(0x04, 2, 0xffff);
        assertEquals(0x0547, c.read(0x04, 2));
        assertEquals(0x00, c.read(0x0b, 1)); // class code 00ff00, QEMU edu's PCI_CLASS_OTHERS
        assertEquals(0xff, c.read(0x0a, 1));
        assertEquals(0x40, c.read(0x34, 1)); // MSI only, at the first free offset as QEMU's msi_init
        assertEquals(0x05, c.read(0x40, 1));
        assertEquals(0x00, c.read(0x41, 1)); // end of the list
        assertEquals(0x0080, c.read(0x42, 2)); // 64-bit, 1 vector, disabled
        c.write(0x42, 2, 0x0071);
        assertEquals(0x00f1, c.read(0x42, 2)); // enable + MME writable, MMC read-only
    }

    @Test
    void misalignedOrOversizedAccessIsRejected() {
        var c = new PciConfigSpace(new org.jvmm.devices.edu.EduDevice(), false);
        assertThrows(IllegalArgumentException.class, () -> c.read(0x03, 2));
        assertThrows(IllegalArgumentException.class, () -> c.read(0xfe, 4));
        assertThrows(IllegalArgumentException.class, () -> c.read(0x100, 1));
    }
}
