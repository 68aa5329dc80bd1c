package org.jvmm.vfio;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.IommuGroup;
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
    private final Map<Integer, EmulatedDevice> emulated = new HashMap<>();
    private final java.util.Set<String> modules = new java.util.HashSet<>();
    /** Device cdevs bound to an iommufd, per IOMMU group number (cdev_device_open_cnt). */
    private final Map<Integer, Integer> cdevBound = new HashMap<>();
    private final java.util.Set<org.jvmm.pci.PciAddress> cdevOpenDevices = new java.util.HashSet<>();
    private volatile PasidApi pasidApi = PasidApi.MAINLINE;
    private final SeedSvm seedSvm;
    private final SeedVsvm seedVsvm = new SeedVsvm();

    /** A device registered with an emulated IOMMU, alone in its group. */
    private record EmulatedDevice(IommuGroup group, VfioDeviceOps ops) {
    }

    public Vfio(HostPciPlatform platform) {
        this.platform = platform;
        this.iommuHost = new IommuHostResources(platform.iommuHardware(), platform.memory(), platform.memlock());
        this.seedSvm = new SeedSvm(platform.memory());
    }

    /** The PASID interface offered (default {@link PasidApi#MAINLINE}). */
    public PasidApi pasidApi() {
        return pasidApi;
    }

    /** Selects the PASID interface: {@link PasidApi#SEED} adds seed 001's BIND_TASK/UNBIND_TASK. */
    public void setPasidApi(PasidApi api) {
        this.pasidApi = java.util.Objects.requireNonNull(api, "api");
    }

    /** Seed 001's virtual-SVM passdown (Yi Liu's form; {@link PasidApi#SEED} mode only). */
    public SeedVsvm seedVsvm() {
        return seedVsvm;
    }

    /** Seed 001's SVM engine (used only in {@link PasidApi#SEED} mode). */
    public SeedSvm seedSvm() {
        return seedSvm;
    }

    /**
     * vfio_device_block_group: a device cdev of group {@code id} binds to an iommufd; EBUSY while
     * the group file is open (legacy and iommufd use of one group exclude each other). Caller
     * holds the platform lock.
     */
    void blockGroup(String op, int id) {
        if (openGroups.containsKey(id)) {
            throw new ErrnoException(op, Errno.EBUSY, "group " + id + " is open through /dev/vfio/" + id);
        }
        cdevBound.merge(id, 1, Integer::sum);
    }

    /** vfio_device_unblock_group. Caller holds the platform lock. */
    void unblockGroup(int id) {
        cdevBound.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
    }

    /** Device cdevs of group {@code id} bound now. Caller holds the platform lock. */
    int cdevBoundCount(int id) {
        return cdevBound.getOrDefault(id, 0);
    }

    /** Marks a device opened through a cdev (false when it is already). Caller holds the platform lock. */
    boolean claimCdevOpen(org.jvmm.pci.PciAddress a) {
        return cdevOpenDevices.add(a);
    }

    void releaseCdevOpen(org.jvmm.pci.PciAddress a) {
        cdevOpenDevices.remove(a);
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

    /**
     * Marks a module that sits on this core (mdev) as loaded; EEXIST when it is already, since a
     * kernel loads a module once.
     */
    public synchronized void loadModule(String name) {
        if (!modules.add(name)) {
            throw new ErrnoException("init_module " + name, Errno.EEXIST, "module " + name + " is already loaded");
        }
    }

    /**
     * vfio_register_emulated_iommu_dev: gives {@code ops} a new IOMMU group of its own (the lowest
     * number no PCI group, no other emulated group and no still-open group file uses), so that
     * /dev/vfio/N exists at once and GET_DEVICE_FD takes {@code ops.name()}.
     */
    public IommuGroup registerEmulatedIommuDevice(VfioDeviceOps ops) {
        synchronized (platform.lock()) {
            int n = 0;
            while (platform.group(n) != null || emulated.containsKey(n) || openGroups.containsKey(n)) {
                n++;
            }
            IommuGroup g = IommuGroup.emulated(n, ops.name());
            emulated.put(n, new EmulatedDevice(g, ops));
            return g;
        }
    }

    /**
     * vfio_unregister_group_dev for an emulated device, once no fd of it is open: the group
     * disappears from /dev/vfio (a group file still open keeps its number until closed).
     */
    public void unregisterEmulatedDevice(IommuGroup group) {
        synchronized (platform.lock()) {
            EmulatedDevice d = emulated.get(group.id());
            if (d == null || d.group() != group) {
                throw new IllegalStateException(group + " is not a registered emulated IOMMU group");
            }
            emulated.remove(group.id());
        }
    }

    /** The registered emulated group numbered {@code id}, or null. Caller holds the platform lock. */
    IommuGroup emulatedGroup(int id) {
        EmulatedDevice d = emulated.get(id);
        return d == null ? null : d.group();
    }

    /** The device of a registered emulated group, or null. Caller holds the platform lock. */
    VfioDeviceOps emulatedDevice(IommuGroup group) {
        EmulatedDevice d = emulated.get(group.id());
        return d == null || d.group() != group ? null : d.ops();
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
