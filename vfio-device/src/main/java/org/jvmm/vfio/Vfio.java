package org.jvmm.vfio;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.PciDriver;
import org.jvmm.vfio.iommu.IommuDriver;
import org.jvmm.vfio.iommu.IommuHostResources;

/**
 * The VFIO core of one host (Linux drivers/vfio/vfio_main.c with container.c and group.c): the
 * registry of VFIO IOMMU drivers containers choose from at SET_IOMMU (vfio_register_iommu_driver)
 * and the table of open group files (/dev/vfio/N). It gives IOMMU drivers only the
 * {@link IommuHostResources} they need, never the platform.
 *
 * <p>{@link VfioContainer#open(HostPciPlatform)} and {@link VfioGroup#open(HostPciPlatform, int)}
 * find the core through the vfio-pci bus driver registered on the platform ({@link #of}); the
 * host-kernel assembler creates the core and registers that driver.
 *
 * <p>Thread rules: the group table is guarded by the platform lock; the driver registry is
 * copy-on-write.
 */
public final class Vfio {
    private final HostPciPlatform platform;
    private final IommuHostResources iommuHost;
    private final List<IommuDriver> iommuDrivers = new CopyOnWriteArrayList<>();
    private final Map<Integer, VfioGroup> openGroups = new HashMap<>();

    public Vfio(HostPciPlatform platform) {
        this.platform = platform;
        this.iommuHost = new IommuHostResources(platform.iommuHardware(), platform.memory(), platform.memlock());
    }

    /**
     * The VFIO core loaded on {@code platform}: the one its vfio-pci driver belongs to. ENOENT
     * (as opening /dev/vfio/vfio would fail) when VFIO is not loaded there.
     */
    public static Vfio of(HostPciPlatform platform) {
        return of(platform, "open /dev/vfio/vfio");
    }

    static Vfio of(HostPciPlatform platform, String op) {
        PciDriver d = platform.driver(HostPciPlatform.VFIO_PCI);
        if (d instanceof VfioBusDriver v && v.vfio().platform == platform) {
            return v.vfio();
        }
        throw new ErrnoException(op, Errno.ENOENT, "VFIO is not loaded on this host (no " + HostPciPlatform.VFIO_PCI
                + " driver registered)");
    }

    public HostPciPlatform platform() {
        return platform;
    }

    /**
     * vfio_register_iommu_driver: adds a driver after those already registered (SET_IOMMU tries
     * them in this order). EINVAL when a driver of that name is registered already.
     */
    public void registerIommuDriver(IommuDriver driver) {
        synchronized (iommuDrivers) {
            for (IommuDriver d : iommuDrivers) {
                if (d.name().equals(driver.name())) {
                    throw new ErrnoException("vfio_register_iommu_driver " + driver.name(), Errno.EINVAL,
                            "an IOMMU driver named " + driver.name() + " is registered");
                }
            }
            iommuDrivers.add(driver);
        }
    }

    /** The VFIO IOMMU drivers registered (vfio_iommu_type1 ...), in probe order. */
    public List<IommuDriver> iommuDrivers() {
        return List.copyOf(iommuDrivers);
    }

    /** The host resources IOMMU drivers open backends with. */
    IommuHostResources iommuHost() {
        return iommuHost;
    }

    /** The open file of group {@code id}, or null. Caller holds the platform lock. */
    VfioGroup openGroup(int id) {
        return openGroups.get(id);
    }

    /** Records (file != null) or forgets the open file of group {@code id}. Caller holds the platform lock. */
    void setOpenGroup(int id, VfioGroup file) {
        if (file == null) {
            openGroups.remove(id);
        } else {
            openGroups.put(id, file);
        }
    }
}
