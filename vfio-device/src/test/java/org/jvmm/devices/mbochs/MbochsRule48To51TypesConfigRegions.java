package org.jvmm.devices.mbochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.devices.mbochs.MbochsFixture.*;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.VfioDevice;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules and the IRQ part of A-54: mbochs types, config space, regions, dispi registers. */
@DisplayName("mbochs A-48..A-51: a 256 MiB pool, stdvga config, regions at the vendor's offsets, dispi registers")
class MbochsRule48To51TypesConfigRegions {

    /** "a 256 MiB pool shared by all instances ... available_instances = free MiB ÷ type MiB; past the pool ENOSPC; description "virtual display, N MB video memory"". */
    @Test
    @DisplayName("A-48: three types on a 256 MiB pool; available_instances in MiB; ENOSPC past it; memory comes back on remove")
    void pool() {
        MdevRig rig = new MdevRig();
        MbochsDriver.load(rig.bus);
        assertEquals(List.of("mbochs-large", "mbochs-medium", "mbochs-small"),
                rig.bus.list("/sys/class/mdev_bus/mbochs/mdev_supported_types"));
        assertEquals("mbochs-medium\n", rig.bus.read(TYPES + "mbochs-medium/name"));
        assertEquals("virtual display, 16 MB video memory\n", rig.bus.read(TYPES + "mbochs-medium/description"));
        assertEquals("4\n", rig.bus.read(TYPES + "mbochs-large/available_instances"));
        assertEquals("64\n", rig.bus.read(TYPES + "mbochs-small/available_instances"));
        for (int i = 0; i < 3; i++) {
            rig.bus.write(TYPES + "mbochs-large/create", String.format("00000000-0000-0000-0000-%012d", i));
        }
        rig.bus.write(TYPES + "mbochs-medium/create", "00000000-0000-0000-0001-000000000000");
        assertEquals("0\n", rig.bus.read(TYPES + "mbochs-large/available_instances"));
        assertEquals("3\n", rig.bus.read(TYPES + "mbochs-medium/available_instances"));
        assertEquals("64 MB\n", rig.bus.read("/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000000/vendor/memory"));
        assertErrno(Errno.ENOSPC, "probe mbochs " + U, () -> rig.bus.write(TYPES + "mbochs-large/create", U));
        rig.bus.write("/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000001/remove", "1");
        assertEquals("1\n", rig.bus.read(TYPES + "mbochs-large/available_instances"));
        rig.bus.write(TYPES + "mbochs-large/create", U);
    }

    /** "vendor 0x1234, device 0x1111 (QEMU stdvga), subsystem 0x1af4/0x1100, command I/O|memory, class 0x0380 (display, other), revision 1; BAR0 32-bit prefetchable memory of the type's size; BAR2 32-bit memory of 4 KiB". */
    @Test
    @DisplayName("A-49: config reads 1234:1111, 1af4:1100, class 0380, rev 1; BAR0 and BAR2 size like memory BARs")
    void config() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-small")) {
            VfioDevice d = o.device();
            assertEquals(0x11111234L, read(d, 0x00, 4));
            assertEquals(0x11001af4L, read(d, 0x2c, 4));
            assertEquals(0x0003, read(d, 0x04, 2));
            assertEquals(0x03800001L, read(d, 0x08, 4));
            assertEquals(0x08, read(d, 0x10, 4));
            write(d, 0x10, 4, 0xffffffffL);
            assertEquals(0xffc00008L, read(d, 0x10, 4), "4 MiB prefetchable 32-bit memory BAR");
            write(d, 0x18, 4, 0xffffffffL);
            assertEquals(0xfffff000L, read(d, 0x18, 4), "4 KiB 32-bit memory BAR");
            write(d, 0x18, 4, 0xfebf1234L);
            assertEquals(0xfebf1230L, read(d, 0x18, 4), "flag bits kept, the address below them cleared");
            write(d, 0x00, 4, 0);
            assertEquals(0x11111234L, read(d, 0x00, 4), "other writes are ignored");
        }
    }

    /** "Regions (num_regions 10): config at file offset 0 ... BAR2 (MMIO) at 0x1000, 4 KiB ... index 9 EDID at 0x2000 ... READ|WRITE|CAPS with the GFX/EDID type capability; BAR0 at 0x3000, type size, READ|WRITE|MMAP; indexes 1, 3–8 size 0; index ≥ 10 EINVAL". */
    @Test
    @DisplayName("A-50: GET_INFO PCI/10/5; regions at 0, 0x1000, 0x2000 (EDID cap), 0x3000 (mmap); index 10 EINVAL")
    void regions() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-medium")) {
            VfioDevice d = o.device();
            assertEquals(new DeviceInfo(VFIO_DEVICE_FLAGS_PCI, 10, 5), d.getInfo());
            int rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
            assertEquals(new RegionInfo(7, rw, 0xff, 0, List.of()), d.getRegionInfo(7));
            assertEquals(new RegionInfo(2, rw, 0x1000, 0x1000, List.of()), d.getRegionInfo(2));
            assertEquals(new RegionInfo(9, rw | VFIO_REGION_INFO_FLAG_CAPS, 0x1000, 0x2000,
                    List.of(new RegionCapability.Type(VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID))), d.getRegionInfo(9));
            assertEquals(new RegionInfo(0, rw | VFIO_REGION_INFO_FLAG_MMAP, 16L << 20, 0x3000, List.of()), d.getRegionInfo(0));
            for (int i : new int[] {1, 3, 4, 5, 6, 8}) {
                assertEquals(new RegionInfo(i, 0, 0, 0, List.of()), d.getRegionInfo(i));
            }
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_GET_REGION_INFO", () -> d.getRegionInfo(10));
            assertErrno(Errno.EFAULT, "pread", () -> read(d, 0x100, 4));
            assertErrno(Errno.EFAULT, "pread", () -> read(d, 0x3000 + (16L << 20), 4));
        }
    }

    /** "0x500–0x515 are the 11 bochs dispi registers ..., 16-bit accesses only; everything else reads zero and ignores writes. RESET zeroes them, sets id 0xB0C5 and the memory size". */
    @Test
    @DisplayName("A-51: dispi id 0xB0C5 and memory in 64 KiB units; 16-bit only; RESET zeroes the mode registers")
    void dispi() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-small")) {
            VfioDevice d = o.device();
            assertEquals(0xB0C5, read(d, MMIO + 0x500, 2));
            assertEquals(64, read(d, MMIO + 0x514, 2), "4 MiB in 64 KiB units");
            write(d, MMIO + 0x502, 2, 1024);
            assertEquals(1024, read(d, MMIO + 0x502, 2));
            assertEquals(0, read(d, MMIO + 0x500, 4), "a 32-bit access is not handled: reads zero");
            write(d, MMIO + 0x504, 4, 0x1234);
            assertEquals(0, read(d, MMIO + 0x504, 2), "and a 32-bit write is ignored");
            assertEquals(0, read(d, MMIO + 0x600, 2));
            d.reset();
            assertEquals(0, read(d, MMIO + 0x502, 2));
            assertEquals(0xB0C5, read(d, MMIO + 0x500, 2));
        }
    }

    /** "IRQs: every index reports count 0; SET_IRQS EINVAL". */
    @Test
    @DisplayName("A-54: every IRQ index below 5 reports count 0; index 5 EINVAL; SET_IRQS EINVAL")
    void irqs() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-small")) {
            VfioDevice d = o.device();
            for (int i = 0; i < 5; i++) {
                assertEquals(new IrqInfo(i, 0, 0), d.getIrqInfo(i));
            }
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_GET_IRQ_INFO", () -> d.getIrqInfo(5));
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_SET_IRQS", () -> d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 0, new org.jvmm.vfio.IrqData.None())));
        }
    }
}
