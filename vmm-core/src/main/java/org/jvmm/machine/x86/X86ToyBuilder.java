package org.jvmm.machine.x86;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.linux.LinuxKvm;
import org.jvmm.machine.config.HostDeviceConfig;
import org.jvmm.machine.config.MachineType;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.VfioPciConfig;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.host.memory.LockedMemoryAccount;

/**
 * Assembles an x86-toy machine from configuration records (Firecracker's {@code builder.rs}): the
 * simulated host (its {@link HostDeviceConfig functions}, bound to vfio-pci, behind TYPE1), the
 * machine with its {@link MemoryConfig RAM} in the host's memory, and the {@link VfioPciConfig
 * vfio-pci devices} plugged. The command line, tests and benchmarks build x86-toy here.
 *
 * <p>Each record is checked as it is added, against the machine's limits and the records added
 * before it, with the message the command line shows: RAM above {@link X86ToyLayout#RAM_MAX}, two
 * host functions at one address, a vfio-pci device whose host function is missing or given
 * twice, two devices in one slot. Not thread-safe: one thread builds.
 */
public final class X86ToyBuilder {
    private final MemoryConfig memory;
    private final Map<PciAddress, HostDeviceConfig> hostDevices = new LinkedHashMap<>();
    private final Map<PciAddress, VfioPciConfig> vfioByHost = new LinkedHashMap<>();
    private final Map<Integer, VfioPciConfig> vfioBySlot = new LinkedHashMap<>();
    private final java.util.Set<String> iommufdObjects = new java.util.LinkedHashSet<>();
    private final Map<PciAddress, String> iommufdOf = new LinkedHashMap<>();
    private OutputStream console = OutputStream.nullOutputStream();
    private String kvmDevice = LinuxKvm.DEVICE;
    private long memlockLimit;
    private final MdevSetup mdev = new MdevSetup();
    private org.jvmm.hw.vtd.VtdPasidApi vtd;
    private int vtdSeedRelease = org.jvmm.vfio.SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN;

    /**
     * @throws IllegalArgumentException naming the memory's origin when it is not a whole number
     *     of MiB from 1M to {@link X86ToyLayout#RAM_MAX}
     */
    public X86ToyBuilder(MemoryConfig memory) {
        this.memory = memory.checkFor(MachineType.X86_TOY, X86ToyLayout.RAM_MAX);
        this.memlockLimit = Math.max(memory.ramSize() * 2, 64L << 20);
    }

    /**
     * Adds a function to the simulated host.
     *
     * @throws IllegalArgumentException naming both origins when the host has a function at that address already
     */
    public X86ToyBuilder hostDevice(HostDeviceConfig d) {
        HostDeviceConfig other = hostDevices.putIfAbsent(d.host(), d);
        if (other != null) {
            throw new IllegalArgumentException(d.origin() + ": the simulated host has a function at " + d.host()
                    + " already (" + other.origin() + ")");
        }
        return this;
    }

    /**
     * Gives a host function added before to the guest.
     *
     * @throws IllegalArgumentException naming the origin: the host has no such function, the
     *     function is given already (QEMU: "device is already attached"), the slot is in use
     */
    public X86ToyBuilder vfioPci(VfioPciConfig d) {
        if (!hostDevices.containsKey(d.host())) {
            throw new IllegalArgumentException(d.origin() + ": the simulated host has no function " + d.host() + " (it has "
                    + hostDevices.keySet().stream().map(PciAddress::toString).toList() + "; add one with -host-device)");
        }
        if (vfioByHost.containsKey(d.host())) {
            throw new IllegalArgumentException(d.origin() + ": vfio " + d.host() + ": device is already attached");
        }
        VfioPciConfig other = vfioBySlot.get(d.slot());
        if (other != null) {
            throw new IllegalArgumentException(d.origin() + ": PCI slot " + d.slot() + " is in use by " + other.origin());
        }
        if (mdev.slotUser(d.slot()) != null) {
            throw new IllegalArgumentException(d.origin() + ": PCI slot " + d.slot() + " is in use by " + mdev.slotUser(d.slot()).origin());
        }
        vfioByHost.put(d.host(), d);
        vfioBySlot.put(d.slot(), d);
        return this;
    }

    /** The mdev part: parents, mdevs created on the host, mdevs given to the guest ({@link MdevSetup}). */
    public MdevSetup mdev() {
        return mdev;
    }

    /**
     * Gives an mdev to the guest ({@code -device vfio-pci,sysfsdev=}).
     *
     * @throws IllegalArgumentException naming the origin: given twice, or the slot is in use
     */
    public X86ToyBuilder vfioMdev(org.jvmm.machine.config.VfioMdevConfig d) {
        VfioPciConfig other = vfioBySlot.get(d.slot());
        String user = other != null ? other.origin() : mdev.slotUser(d.slot()) != null ? mdev.slotUser(d.slot()).origin() : null;
        if (user != null) {
            throw new IllegalArgumentException(d.origin() + ": PCI slot " + d.slot() + " is in use by " + user);
        }
        mdev.guest(d);
        return this;
    }

    /** {@code -object iommufd,id=ID}: an iommufd backend vfio-pci devices may use; IllegalArgumentException for a duplicate id. */
    public X86ToyBuilder iommufd(String id) {
        if (!iommufdObjects.add(id)) {
            throw new IllegalArgumentException("-object iommufd,id=" + id + ": attempt to add duplicate property '" + id
                    + "' to object (type 'container')");
        }
        return this;
    }

    /**
     * Gives a host function to the guest over the iommufd backend {@code id} (declared with
     * {@link #iommufd}) instead of a VFIO container ({@code -device vfio-pci,host=..,iommufd=ID}).
     */
    public X86ToyBuilder vfioPci(VfioPciConfig d, String iommufdId) {
        if (iommufdId != null && !iommufdObjects.contains(iommufdId)) {
            throw new IllegalArgumentException(d.origin() + ": Property 'vfio-pci.iommufd' can't find value '" + iommufdId + "'");
        }
        vfioPci(d);
        if (iommufdId != null) {
            iommufdOf.put(d.host(), iommufdId);
        }
        return this;
    }

    /**
     * Adds the virtual VT-d in scalable mode ({@code -device intel-iommu,pasid-api=iommufd|seed};
     * {@link VtdSetup}): its registers at {@link org.jvmm.hw.vtd.VtdRegs#BASE}, the vfio-pci devices
     * over iommufd behind it.
     */
    public X86ToyBuilder intelIommu(org.jvmm.hw.vtd.VtdPasidApi api) {
        this.vtd = java.util.Objects.requireNonNull(api, "pasid-api");
        return this;
    }

    /**
     * As {@link #intelIommu(org.jvmm.hw.vtd.VtdPasidApi)} with seed 001's release flags for the
     * table's unbind ({@code SeedVsvm} CLEAN, FLUSHED or 0 for neither); used by {@code pasid-api=seed} only.
     */
    public X86ToyBuilder intelIommu(org.jvmm.hw.vtd.VtdPasidApi api, int seedRelease) {
        this.vtdSeedRelease = seedRelease;
        return intelIommu(api);
    }

    /** Where the guest's serial output goes (default: nowhere). */
    public X86ToyBuilder console(OutputStream out) {
        this.console = out;
        return this;
    }

    /** The KVM device node (default {@link LinuxKvm#DEVICE}). */
    public X86ToyBuilder kvmDevice(String path) {
        this.kvmDevice = path;
        return this;
    }

    /** The host process's locked-memory limit (default: twice the RAM, at least 64 MiB). */
    public X86ToyBuilder memlock(long limit) {
        this.memlockLimit = limit;
        return this;
    }

    public MemoryConfig memory() {
        return memory;
    }

    private final List<org.jvmm.machine.config.VfioUserPciConfig> vfioUser = new ArrayList<>();
    private java.util.function.Consumer<String> vfioUserReport = System.err::println;

    /**
     * Gives the guest a device served over vfio-user ({@link VfioUserPciSetup}); the loss of its
     * server is reported through {@code report}.
     *
     * @throws IllegalArgumentException naming the origin when the slot is in use
     */
    public X86ToyBuilder vfioUserPci(org.jvmm.machine.config.VfioUserPciConfig d, java.util.function.Consumer<String> report) {
        VfioPciConfig other = vfioBySlot.get(d.slot());
        for (org.jvmm.machine.config.VfioUserPciConfig u : vfioUser) {
            if (u.slot() == d.slot()) {
                throw new IllegalArgumentException(d.origin() + ": PCI slot " + d.slot() + " is in use by " + u.origin());
            }
        }
        if (other != null) {
            throw new IllegalArgumentException(d.origin() + ": PCI slot " + d.slot() + " is in use by " + other.origin());
        }
        vfioUser.add(d);
        vfioUserReport = report;
        return this;
    }

    public List<HostDeviceConfig> hostDevices() {
        return List.copyOf(hostDevices.values());
    }

    public List<VfioPciConfig> vfioPciDevices() {
        return List.copyOf(vfioByHost.values());
    }

    /**
     * Builds the simulated host in {@code registry} (the process's memory, which guest RAM must
     * share for VFIO to map it): every function bound to vfio-pci, TYPE1 the IOMMU driver.
     */
    public X86Host buildHost(HostMemoryRegistry registry) {
        List<HostMapping> shared = new ArrayList<>();
        try {
            HostKernel.Builder b = HostKernel.builder().memory(registry)
                    .memlock(new LockedMemoryAccount(memlockLimit, false));
            for (HostDeviceConfig h : hostDevices.values()) {
                String addr = h.host().toString();
                switch (h.model()) {
                    case IVSHMEM -> {
                        HostMapping m = registry.allocate("ivshmem@" + addr, h.sharedMemorySize());
                        shared.add(m);
                        b.endpoint(addr, new IvshmemPlainDevice(m), HostPciPlatform.VFIO_PCI, true);
                    }
                    case EDU -> b.endpoint(addr, new EduDevice(), HostPciPlatform.VFIO_PCI, true);
                    case EDU_PASID -> b.endpoint(addr, EduDevice.withPasid(), HostPciPlatform.VFIO_PCI, true);
                }
            }
            HostPciPlatform platform = b.build();
            mdev.buildHost(platform);
            return new X86Host(registry, platform, List.copyOf(shared));
        } catch (RuntimeException e) {
            shared.forEach(HostMapping::close);
            throw e;
        }
    }

    /**
     * Builds the host and the machine, and plugs the vfio-pci devices in the order given. The
     * machine owns the host's shared memory and closes it after the devices.
     *
     * @throws org.jvmm.host.ErrnoException when KVM cannot be opened, naming why
     */
    public X86ToyMachine build() {
        return build(buildHost(new HostMemoryRegistry()));
    }

    /**
     * As {@link #build()}, on a host from {@link #buildHost} (for a caller that keeps the host's
     * platform at hand); the machine takes the host over, and closes it even when this fails.
     */
    public X86ToyMachine build(X86Host host) {
        X86ToyMachine m;
        try {
            m = X86ToyMachine.create(host.memory(), memory.ramSize(), console, kvmDevice);
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        try {
            m.own(host);
            for (VfioPciConfig d : vfioByHost.values()) {
                m.addVfioPci(host.platform(), d.host(), d.slot(), d.noMmap(), iommufdOf.get(d.host()));
            }
            if (mdev.bus() != null) {
                mdev.plug(m, host.platform());
            }
            for (org.jvmm.machine.config.VfioUserPciConfig u : vfioUser) {
                VfioUserPciSetup.plug(m, u, vfioUserReport);
            }
            if (vtd != null) {
                VtdSetup.install(m, vtd, vtdSeedRelease);
            }
            return m;
        } catch (RuntimeException e) {
            try {
                m.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The simulated host of an x86-toy machine: its memory, its PCI platform and the shared
     * memory its ivshmem functions own ({@link #close} releases that).
     */
    public record X86Host(HostMemoryRegistry memory, HostPciPlatform platform, List<HostMapping> sharedMemory)
            implements AutoCloseable {
        @Override
        public void close() {
            sharedMemory.forEach(HostMapping::close);
        }
    }
}
