package org.jvmm.papr;

import java.nio.ByteOrder;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.SpaprTceDriver;

/** A POWER host with one big-endian edu (64-bit DMA mask) at 0001:01:00.0 bound to vfio-pci. */
final class PaprHost {
    static final PciAddress EDU = PciAddress.parse("0001:01:00.0");

    final HostMemoryRegistry memory = new HostMemoryRegistry();
    final PnvPhb phb = new PnvPhb(PnvPhbConfig.ioda2(), memory);
    final EduDevice edu = new EduDevice(ByteOrder.BIG_ENDIAN, Runnable::run, -1L);
    final HostPciPlatform platform;

    PaprHost() {
        platform = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(1L << 32, false))
                .iommuDriver(new SpaprTceDriver(phb)).firstGroupNumber(1)
                .bridge("0001:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(EDU.toString(), edu, "edu", true).build();
        platform.unbind(EDU);
        platform.newId("vfio-pci", EduDevice.VENDOR_ID, EduDevice.DEVICE_ID);
    }
}
