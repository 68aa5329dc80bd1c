package org.jvmm.vfiouser;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;

/**
 * A host of one function to serve: {@code model} at 0000:01:00.0 behind an ACS root port, bound
 * to vfio-pci, its group in a TYPE1v2 container, the device open. Closed device first.
 */
final class ServedHostRig implements AutoCloseable {
    static final PciAddress ADDRESS = PciAddress.parse("0000:01:00.0");

    final VfioContainer container;
    final VfioGroup group;
    final VfioDevice device;

    ServedHostRig(HostMemoryRegistry memory, PciDeviceModel model) {
        HostPciPlatform p = HostKernel.builder()
                .memory(memory)
                .memlock(new LockedMemoryAccount(64L << 20, false))
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(ADDRESS.toString(), model, HostPciPlatform.VFIO_PCI, true)
                .build();
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(ADDRESS));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(ADDRESS.toString());
    }

    @Override
    public void close() {
        device.close();
        group.close();
        container.close();
    }
}
