package org.jvmm.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.List;
import java.util.Optional;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.Type1Info;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Documentation/vfio.txt (seed 004), "VFIO Usage Example", one step at a time. */
@DisplayName("Documentation/vfio.txt (seed 004): the VFIO usage example for 0000:06:0d.0, step by step")
class VfioTxtUsageExampleRunsStepByStep {

    @Test
    void usageExample() {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        LockedMemoryAccount memlock = new LockedMemoryAccount(8L << 20, false);
        HostPciPlatform host = Hosts.seed(memory, memlock).platform();
        PciAddress dev = PciAddress.parse("0000:06:0d.0");

        // $ readlink /sys/bus/pci/devices/0000:06:0d.0/iommu_group  -> ../../../../kernel/iommu_groups/26
        assertEquals(26, host.iommuGroupOf(dev));

        // $ lspci -n -s 0000:06:0d.0  -> 06:0d.0 0401: 1102:0002 (rev 08)
        var id = host.function("lspci", dev).identity();
        assertEquals("1102:0002", id.ids());
        assertEquals(0x0401, id.classCode() >>> 8);
        assertEquals(0x08, id.revision());

        // # echo 0000:06:0d.0 > /sys/bus/pci/devices/0000:06:0d.0/driver/unbind
        host.unbind(dev);
        // # echo 1102 0002 > /sys/bus/pci/drivers/vfio-pci/new_id
        host.newId("vfio-pci", 0x1102, 0x0002);
        assertEquals(Optional.of("vfio-pci"), host.driverOf(dev));

        // $ ls -l /sys/bus/pci/devices/0000:06:0d.0/iommu_group/devices
        assertEquals(List.of(PciAddress.parse("0000:00:1e.0"), dev, PciAddress.parse("0000:06:0d.1")),
                host.iommuGroupDevices(host.iommuGroupOf(dev)));
        // 06:0d.1 is behind the same PCIe-to-PCI bridge: same procedure; 00:1e.0 has no host driver
        assertEquals(Optional.empty(), host.driverOf(PciAddress.parse("0000:00:1e.0")));
        host.unbind(PciAddress.parse("0000:06:0d.1"));
        host.newId("vfio-pci", 0x1102, 0x7002);

        // container = open("/dev/vfio/vfio", O_RDWR);
        try (HostMapping buffer = memory.allocate("dma", 1024 * 1024); VfioContainer container = VfioContainer.open(host)) {
            // if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
            assertEquals(VFIO_API_VERSION, container.getApiVersion());
            // if (!ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU))
            assertTrue(container.checkExtension(VFIO_TYPE1_IOMMU) > 0);

            // group = open("/dev/vfio/26", O_RDWR);
            try (VfioGroup group = VfioGroup.open(host, 26)) {
                // ioctl(group, VFIO_GROUP_GET_STATUS, &group_status); VIABLE?
                GroupStatus status = group.getStatus();
                assertTrue(status.viable());
                assertEquals(false, status.containerSet());

                // ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
                group.setContainer(container);
                // ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU);
                container.setIommu(VFIO_TYPE1_IOMMU);
                // ioctl(container, VFIO_IOMMU_GET_INFO, &iommu_info);
                Type1Info info = (Type1Info) container.iommuGetInfo(Type1Info.SIZE);
                assertEquals(VFIO_IOMMU_INFO_PGSIZES, info.flags() & VFIO_IOMMU_INFO_PGSIZES);
                assertEquals(4096, Long.lowestOneBit(info.iovaPgsizes()));

                // dma_map.vaddr = mmap(0, 1024 * 1024, ...); size = 1 MiB; iova = 0; READ | WRITE
                {
                    container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, buffer.address(),
                            Iova.of(0), 1024 * 1024));
                    assertEquals(1024 * 1024, memlock.lockedBytes());

                    // device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "0000:06:0d.0");
                    try (VfioDevice device = group.getDeviceFd("0000:06:0d.0")) {
                        // ioctl(device, VFIO_DEVICE_GET_INFO, &device_info);
                        DeviceInfo deviceInfo = device.getInfo();
                        assertEquals(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, deviceInfo.flags());
                        assertEquals(9, deviceInfo.numRegions());
                        assertEquals(5, deviceInfo.numIrqs());

                        // for each region: VFIO_DEVICE_GET_REGION_INFO (VGA is absent: EINVAL)
                        for (int i = 0; i < deviceInfo.numRegions(); i++) {
                            if (i == VFIO_PCI_VGA_REGION_INDEX) {
                                final int idx = i;
                                assertEquals(org.jvmm.host.Errno.EINVAL, org.junit.jupiter.api.Assertions.assertThrows(
                                        org.jvmm.host.ErrnoException.class, () -> device.getRegionInfo(idx)).errno());
                                continue;
                            }
                            RegionInfo reg = device.getRegionInfo(i);
                            assertEquals((long) i << 40, reg.offset());
                        }
                        // config space is a region: read the vendor/device ID through it
                        var buf = java.lang.foreign.Arena.ofAuto().allocate(4);
                        device.read((long) VFIO_PCI_CONFIG_REGION_INDEX << 40, buf);
                        assertEquals(0x0002_1102, buf.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0));

                        // for each irq: VFIO_DEVICE_GET_IRQ_INFO (ERR needs PCIe: EINVAL here)
                        for (int i = 0; i < deviceInfo.numIrqs(); i++) {
                            if (i == VFIO_PCI_ERR_IRQ_INDEX) {
                                continue;
                            }
                            IrqInfo irq = device.getIrqInfo(i);
                            assertEquals(i, irq.index());
                            assertTrue(irq.has(VFIO_IRQ_INFO_EVENTFD));
                        }

                        // Gratuitous device reset and go...
                        device.reset();
                    }
                }
            }
            // teardown: everything given back
            assertEquals(0, memlock.lockedBytes());
        }
    }
}
