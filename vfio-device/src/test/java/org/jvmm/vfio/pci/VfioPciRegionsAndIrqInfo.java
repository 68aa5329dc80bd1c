package org.jvmm.vfio.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vfio-pci: GET_INFO PCI|RESET, 9 regions at index << 40 with sparse mmap, 5 IRQ indexes with their flags")
class VfioPciRegionsAndIrqInfo {

    @Test
    void eduRegionsAndIrqs() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            var d = rig.device;
            assertEquals(new DeviceInfo(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, 9, 5), d.getInfo());
            assertEquals(new RegionInfo(0, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP,
                    1 << 20, 0, List.of()), d.getRegionInfo(0));
            for (int i = 1; i <= 5; i++) {
                assertEquals(new RegionInfo(i, 0, 0, (long) i << 40, List.of()), d.getRegionInfo(i));
            }
            assertEquals(new RegionInfo(6, 0, 0, 6L << 40, List.of()), d.getRegionInfo(6));
            assertEquals(new RegionInfo(7, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, 256, 7L << 40, List.of()),
                    d.getRegionInfo(7));
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.getRegionInfo(8)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.getRegionInfo(9)).errno());

            assertEquals(new IrqInfo(0, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED, 1), d.getIrqInfo(0));
            assertEquals(new IrqInfo(1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 1), d.getIrqInfo(1));
            assertEquals(new IrqInfo(2, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 0), d.getIrqInfo(2));
            ErrnoException err = assertThrows(ErrnoException.class, () -> d.getIrqInfo(3));
            assertEquals(Errno.EINVAL, err.errno()); // ERR needs PCI Express; edu is conventional PCI
            assertEquals(new IrqInfo(4, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 1), d.getIrqInfo(4));
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.getIrqInfo(5)).errno());
        }
    }

    @Test
    void msixBarHasASparseMmapCapabilityLeavingTheTableOut() {
        try (DeviceRig rig = new DeviceRig(Hosts.MSIX_DEV)) {
            var d = rig.device;
            RegionInfo bar0 = d.getRegionInfo(0);
            assertEquals(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP
                    | VFIO_REGION_INFO_FLAG_CAPS, bar0.flags());
            assertEquals(new RegionCapability.SparseMmap(List.of(new RegionCapability.Area(0, 0x2000),
                    new RegionCapability.Area(0x3000, 0x1000))), bar0.sparseMmap());
            assertEquals(new RegionInfo(7, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, 4096, 7L << 40, List.of()),
                    d.getRegionInfo(7));
            assertEquals(new IrqInfo(1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 4), d.getIrqInfo(1));
            assertEquals(new IrqInfo(2, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 16), d.getIrqInfo(2));
            assertEquals(new IrqInfo(3, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 1), d.getIrqInfo(3));
            // the MSI-X table page cannot be mmap-ed; the pages around it can
            ErrnoException e = assertThrows(ErrnoException.class, () -> d.mmap(0x2000, 0x1000));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(0, 0x4000)).errno());
            try (var lo = d.mmap(0, 0x2000); var hi = d.mmap(0x3000, 0x1000)) {
                assertEquals(0x2000, lo.length());
                assertEquals(0x3000, hi.regionOffset());
            }
        }
    }

    @Test
    void conventionalDeviceWithAnIoBarHasAnUnmappableIoRegion() {
        try (DeviceRig rig = new DeviceRig(Hosts.SOUND)) {
            var d = rig.device;
            assertEquals(new RegionInfo(4, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, 0x20, 4L << 40, List.of()),
                    d.getRegionInfo(4));
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(4L << 40, 4096)).errno());
        }
    }
}
