package org.jvmm.bench.vfio;

import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.iommufd.Iommufd;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioDevice;

/**
 * A one-function host for the iommufd benchmarks: a PASID-capable edu bound to vfio-pci, its
 * cdev bound to /dev/iommu (privileged, so pins are not limited), bus mastering on, and
 * {@code ramSize} bytes of process memory. The benchmarks drive the function's DMA port directly.
 */
final class IommufdBenchHost implements AutoCloseable {
    static final PciAddress ADDRESS = PciAddress.parse("0000:00:04.0");

    final HostMemoryRegistry memory = new HostMemoryRegistry();
    final HostPciPlatform platform;
    final Iommufd iommufd;
    final VfioDevice device;
    final int devId;
    final HostMapping ram;
    final HostPciFunction function;

    IommufdBenchHost(long ramSize) {
        platform = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(0, true))
                .endpoint(ADDRESS.toString(), EduDevice.withPasid(), HostPciPlatform.VFIO_PCI, true).build();
        iommufd = Iommufd.open(platform);
        device = VfioDevice.openCdev(Vfio.of(platform), ADDRESS);
        devId = device.bindIommufd(iommufd);
        ram = memory.allocate("bench-ram", ramSize);
        function = platform.function("bench", ADDRESS);
        function.config().write(PciRegs.COMMAND, 2, PciRegs.COMMAND_MASTER);
    }

    @Override
    public void close() {
        device.close();
        iommufd.close();
        ram.close();
    }
}
