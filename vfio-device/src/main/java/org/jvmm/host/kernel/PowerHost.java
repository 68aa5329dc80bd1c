package org.jvmm.host.kernel;

import java.nio.ByteOrder;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.SpaprTceDriver;

/**
 * The POWER host the pseries machine runs beside: one PHB ({@link PnvPhbConfig#ioda2()}) with a
 * root port with ACS at 0001:00:01.0, and behind it a big-endian edu with a 64-bit DMA mask at
 * {@link #EDU} (IOMMU group 1), unbound from its host driver and bound to vfio-pci through
 * {@code new_id}; the only VFIO IOMMU driver is vfio_iommu_spapr_tce; 4 GiB of locked memory.
 * The one recipe for it: the pseries machine's builder, qtest, tests and benchmarks of every
 * module build it here.
 */
public record PowerHost(HostMemoryRegistry memory, PnvPhb phb, EduDevice edu, HostPciPlatform platform) {
    /** The edu's host address. */
    public static final PciAddress EDU = PciAddress.parse("0001:01:00.0");
    /** The locked-memory limit of the host process. */
    public static final long MEMLOCK_LIMIT = 1L << 32;

    /** Builds the host in a new memory registry. */
    public static PowerHost create() {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        PnvPhb phb = new PnvPhb(PnvPhbConfig.ioda2(), memory);
        EduDevice edu = new EduDevice(ByteOrder.BIG_ENDIAN, Runnable::run, -1L);
        HostPciPlatform platform = HostKernel.builder().memory(memory)
                .memlock(new LockedMemoryAccount(MEMLOCK_LIMIT, false))
                .iommuDriver(new SpaprTceDriver(phb)).firstGroupNumber(1)
                .bridge("0001:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(EDU.toString(), edu, "edu", true).build();
        platform.unbind(EDU);
        platform.newId("vfio-pci", EduDevice.VENDOR_ID, EduDevice.DEVICE_ID);
        return new PowerHost(memory, phb, edu, platform);
    }
}
