package org.jvmm.host.kernel;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.IommuHardware;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.iommu.IommuDriver;
import org.jvmm.vfio.iommu.Type1Driver;
import org.jvmm.vfio.pci.VfioPciDriver;

/**
 * Assembles a host kernel the way boot and module init do: the PCI platform (topology, IOMMU
 * groups, built-in host drivers bound), then the VFIO core with its IOMMU drivers
 * (vfio_iommu_type1 unless others are named), then the vfio-pci bus driver, which binds every
 * function whose boot driver is vfio-pci. The one place that wires VFIO to the PCI platform.
 *
 * <p>The builder's topology methods are those of {@link HostPciPlatform.Builder}.
 */
public final class HostKernel {
    private HostKernel() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads VFIO on a built platform: the core, {@code iommuDrivers} in order, then vfio-pci. */
    public static Vfio loadVfio(HostPciPlatform platform, List<IommuDriver> iommuDrivers) {
        Vfio vfio = new Vfio(platform);
        for (IommuDriver d : iommuDrivers) {
            vfio.registerIommuDriver(d);
        }
        platform.registerDriver(new VfioPciDriver(vfio));
        return vfio;
    }

    /** A host: its PCI topology and resources, and the VFIO IOMMU drivers to load. */
    public static final class Builder {
        private final HostPciPlatform.Builder pci = HostPciPlatform.builder();
        private final List<IommuDriver> iommuDrivers = new ArrayList<>();

        private Builder() {
        }

        public Builder memory(HostMemoryRegistry memory) {
            pci.memory(memory);
            return this;
        }

        /** The process's locked-memory limit and privilege (default 8 MiB, unprivileged). */
        public Builder memlock(LockedMemoryAccount memlock) {
            pci.memlock(memlock);
            return this;
        }

        public Builder iommu(IommuHardware iommu) {
            pci.iommu(iommu);
            return this;
        }

        /** Adds a VFIO IOMMU driver (default: TYPE1 alone). */
        public Builder iommuDriver(IommuDriver driver) {
            iommuDrivers.add(driver);
            return this;
        }

        public Builder firstGroupNumber(int n) {
            pci.firstGroupNumber(n);
            return this;
        }

        /** Gives the group that will hold {@code address} the number {@code n}. */
        public Builder groupNumber(String address, int n) {
            pci.groupNumber(address, n);
            return this;
        }

        /** A bridge with no host driver. */
        public Builder bridge(String address, BridgeType type, int secondaryBus, boolean acs) {
            pci.bridge(address, type, secondaryBus, acs);
            return this;
        }

        public Builder bridge(String address, BridgeType type, int secondaryBus, boolean acs, PciIdentity identity,
                String nativeDriver) {
            pci.bridge(address, type, secondaryBus, acs, identity, nativeDriver);
            return this;
        }

        /** An endpoint function backed by {@code model}, bound to {@code nativeDriver} at boot (null: none). */
        public Builder endpoint(String address, PciDeviceModel model, String nativeDriver, boolean acs) {
            pci.endpoint(address, model, nativeDriver, acs);
            return this;
        }

        /** Boots the platform and loads VFIO on it; {@link Vfio#of} finds the core from the platform. */
        public HostPciPlatform build() {
            HostPciPlatform platform = pci.build();
            loadVfio(platform, iommuDrivers.isEmpty() ? List.of(new Type1Driver()) : iommuDrivers);
            return platform;
        }
    }
}
