package org.jvmm.pci.host;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommu.IommuFaultLog;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;

/**
 * The host machine as VFIO sees it: a PCI topology (domains, buses, bridges, multifunction
 * slots, ACS), the IOMMU groups that follow from it, the drivers bound to each function and the
 * sysfs operations that change them (unbind, bind, new_id, driver_override, drivers_probe), the
 * host's IOMMU hardware, the process's memory ({@link HostMemoryRegistry}) and locked-memory
 * limit and the IOMMU fault log.
 *
 * <p>Drivers: a host driver named by a function at build time binds at boot. Bus drivers that are
 * modules ({@link #VFIO_PCI}) come with {@link #registerDriver} (pci_register_driver): a function
 * whose boot driver names such a module (as {@code vfio-pci.ids=} on the kernel command line
 * would) stays unbound until the module registers, then binds. The platform knows drivers only as
 * {@link PciDriver}s; whoever assembles the host kernel registers them.
 *
 * <p>Groups (Linux drivers/iommu/iommu.c pci_device_group): a function behind a PCIe-to-PCI
 * bridge is aliased to that bridge and shares its group; going up from there, every bridge on a
 * path without ACS joins the group; functions of a multifunction slot without ACS share a group.
 * Group numbers are given in address order from {@code firstGroupNumber}, unless pinned.
 *
 * <p>Thread rules: every state-changing operation (sysfs, VFIO group/container attach) holds this
 * object's monitor ({@link #lock()}). Lock order: platform, then container, then IOMMU backend.
 * Device DMA takes none of these.
 */
public final class HostPciPlatform {
    /** The name of the VFIO PCI bus driver. */
    public static final String VFIO_PCI = "vfio-pci";

    private final Map<PciAddress, HostPciFunction> functions;
    private final Map<Integer, IommuGroup> groups;
    private final Map<String, PciDriver> drivers = new LinkedHashMap<>();
    private final Map<String, Set<Integer>> idTables = new HashMap<>();
    private final HostMemoryRegistry memory;
    private final LockedMemoryAccount memlock;
    private final IommuHardware iommu;
    private final IommuFaultLog faults;

    private HostPciPlatform(Builder b) {
        this.memory = b.memory != null ? b.memory : new HostMemoryRegistry();
        this.memlock = b.memlock != null ? b.memlock : new LockedMemoryAccount(8L << 20, false);
        this.iommu = b.iommu;
        this.faults = new IommuFaultLog();
        this.functions = Collections.unmodifiableMap(new TreeMap<>(b.functions));
        this.groups = Collections.unmodifiableMap(computeGroups(b));
        idTables.put(VFIO_PCI, new HashSet<>());
        for (HostPciFunction f : functions.values()) {
            if (f.nativeDriver() != null) {
                if (!f.nativeDriver().equals(VFIO_PCI)) {
                    drivers.computeIfAbsent(f.nativeDriver(), NativeDriver::new);
                }
                idTables.computeIfAbsent(f.nativeDriver(), k -> new HashSet<>()).add(ids(f.identity()));
            }
        }
        // Boot: every function with a built-in host driver gets it; module drivers bind as they register.
        for (HostPciFunction f : functions.values()) {
            if (f.nativeDriver() != null && drivers.containsKey(f.nativeDriver())) {
                PciDriver d = drivers.get(f.nativeDriver());
                d.probe(f);
                f.setDriver(d);
            }
        }
    }

    private static int ids(PciIdentity id) {
        return id.vendorId() << 16 | id.deviceId();
    }

    private Map<Integer, IommuGroup> computeGroups(Builder b) {
        Map<Integer, HostPciFunction> bridgeForBus = new HashMap<>();
        for (HostPciFunction f : b.functions.values()) {
            if (f.isBridge()) {
                int key = f.address().domain() << 8 | f.secondaryBus();
                if (bridgeForBus.put(key, f) != null) {
                    throw new IllegalArgumentException("two bridges claim bus " + String.format("%04x:%02x",
                            f.address().domain(), f.secondaryBus()));
                }
            }
        }
        Map<PciAddress, PciAddress> parent = new TreeMap<>();
        Map<PciAddress, Integer> slotCount = new HashMap<>();
        for (HostPciFunction f : b.functions.values()) {
            PciAddress a = f.address();
            HostPciFunction p = bridgeForBus.get(a.domain() << 8 | a.bus());
            if (p == null && a.bus() != 0) {
                throw new IllegalArgumentException(a + " is on bus " + String.format("%02x", a.bus())
                        + " but no bridge leads to it");
            }
            parent.put(a, p == null ? null : p.address());
            slotCount.merge(a.withFunction(0), 1, Integer::sum);
        }
        // Union-find over functions.
        Map<PciAddress, PciAddress> uf = new TreeMap<>();
        for (PciAddress a : b.functions.keySet()) {
            uf.put(a, a);
        }
        for (HostPciFunction f : b.functions.values()) {
            PciAddress a = f.address();
            // 1. DMA alias: the topmost PCIe-to-PCI bridge above the function.
            PciAddress dmaSource = a;
            for (PciAddress up = parent.get(a); up != null; up = parent.get(up)) {
                if (b.functions.get(up).bridgeType().aliasesDevicesBehind()) {
                    dmaSource = up;
                }
            }
            union(uf, a, dmaSource);
            // 2. Upstream from the alias until the path to the root has ACS everywhere.
            for (PciAddress up = parent.get(dmaSource); up != null; up = parent.get(up)) {
                if (acsPath(b.functions, parent, up)) {
                    break;
                }
                union(uf, a, up);
            }
            // 3. Multifunction slots: functions without ACS share a group.
            if (slotCount.get(a.withFunction(0)) > 1 && !f.hasAcs()) {
                for (int fn = 0; fn < 8; fn++) {
                    HostPciFunction sib = b.functions.get(a.withFunction(fn));
                    if (sib != null && !sib.hasAcs()) {
                        union(uf, a, sib.address());
                    }
                }
            }
        }
        Map<PciAddress, List<HostPciFunction>> sets = new TreeMap<>();
        for (PciAddress a : b.functions.keySet()) {
            sets.computeIfAbsent(find(uf, a), k -> new ArrayList<>()).add(b.functions.get(a));
        }
        Map<PciAddress, Integer> pinned = new HashMap<>();
        Set<Integer> usedNumbers = new HashSet<>();
        for (Map.Entry<PciAddress, Integer> e : b.pinnedGroups.entrySet()) {
            if (!b.functions.containsKey(e.getKey())) {
                throw new IllegalArgumentException("group number pinned for unknown function " + e.getKey());
            }
            PciAddress root = find(uf, e.getKey());
            if (pinned.containsKey(root) || !usedNumbers.add(e.getValue())) {
                throw new IllegalArgumentException("group number " + e.getValue() + " pinned twice");
            }
            pinned.put(root, e.getValue());
        }
        Map<Integer, IommuGroup> out = new TreeMap<>();
        int next = b.firstGroupNumber;
        for (Map.Entry<PciAddress, List<HostPciFunction>> e : sets.entrySet()) {
            Integer n = pinned.get(e.getKey());
            if (n == null) {
                while (usedNumbers.contains(next)) {
                    next++;
                }
                n = next++;
            }
            IommuGroup g = new IommuGroup(n, e.getValue());
            out.put(n, g);
            for (HostPciFunction f : e.getValue()) {
                boolean mf = slotCount.get(f.address().withFunction(0)) > 1;
                PciAddress p = parent.get(f.address());
                f.finish(p == null ? null : b.functions.get(p), mf, g, faults);
            }
        }
        return out;
    }

    /** pci_acs_path_enabled: the bridge and every bridge above it have ACS. */
    private static boolean acsPath(Map<PciAddress, HostPciFunction> fns, Map<PciAddress, PciAddress> parent, PciAddress from) {
        for (PciAddress up = from; up != null; up = parent.get(up)) {
            if (!fns.get(up).hasAcs()) {
                return false;
            }
        }
        return true;
    }

    private static PciAddress find(Map<PciAddress, PciAddress> uf, PciAddress a) {
        PciAddress p = uf.get(a);
        while (!p.equals(a)) {
            PciAddress gp = uf.get(p);
            uf.put(a, gp);
            a = p;
            p = gp;
        }
        return a;
    }

    private static void union(Map<PciAddress, PciAddress> uf, PciAddress a, PciAddress b) {
        PciAddress ra = find(uf, a);
        PciAddress rb = find(uf, b);
        if (!ra.equals(rb)) {
            if (ra.compareTo(rb) < 0) {
                uf.put(rb, ra);
            } else {
                uf.put(ra, rb);
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The monitor every state change holds (lock order: platform, container, backend). */
    public Object lock() {
        return this;
    }

    public HostMemoryRegistry memory() {
        return memory;
    }

    public LockedMemoryAccount memlock() {
        return memlock;
    }

    public IommuHardware iommuHardware() {
        return iommu;
    }

    public IommuFaultLog faults() {
        return faults;
    }

    /**
     * pci_register_driver: adds a bus driver (vfio-pci) and binds it to every unbound function it
     * matches (driver_attach; a function whose probe fails stays unbound). EEXIST when a driver
     * of that name is registered already.
     */
    public synchronized void registerDriver(PciDriver driver) {
        if (drivers.containsKey(driver.name())) {
            throw new ErrnoException("pci_register_driver " + driver.name(), Errno.EEXIST, "a driver named " + driver.name() + " is registered");
        }
        drivers.put(driver.name(), driver);
        idTables.computeIfAbsent(driver.name(), k -> new HashSet<>());
        for (HostPciFunction f : functions.values()) {
            if (f.driver() == null && matches(driver, f)) {
                try {
                    probe(driver, f);
                } catch (ErrnoException e) {
                    // driver_attach ignores a device whose probe fails
                }
            }
        }
    }

    /** The registered driver called {@code name} (/sys/bus/pci/drivers/NAME), or null. */
    public synchronized PciDriver driver(String name) {
        return drivers.get(name);
    }

    /** Every function, in address order. */
    public List<HostPciFunction> functions() {
        return List.copyOf(functions.values());
    }

    /** The function at {@code address}, or ENODEV naming the operation. */
    public HostPciFunction function(String operation, PciAddress address) {
        HostPciFunction f = functions.get(address);
        if (f == null) {
            throw new ErrnoException(operation, Errno.ENODEV, "no PCI device " + address);
        }
        return f;
    }

    public List<IommuGroup> groups() {
        return List.copyOf(groups.values());
    }

    /** The group numbered {@code id}, or null. */
    public IommuGroup group(int id) {
        return groups.get(id);
    }

    // ---- sysfs ----

    /** readlink /sys/bus/pci/devices/ADDR/iommu_group: the group number. */
    public int iommuGroupOf(PciAddress address) {
        return function("readlink iommu_group", address).iommuGroup().id();
    }

    /** ls /sys/kernel/iommu_groups/N/devices. */
    public List<PciAddress> iommuGroupDevices(int id) {
        IommuGroup g = groups.get(id);
        if (g == null) {
            throw new ErrnoException("ls iommu_groups/devices", Errno.ENOENT, "no IOMMU group " + id);
        }
        return g.functions().stream().map(HostPciFunction::address).toList();
    }

    /** readlink /sys/bus/pci/devices/ADDR/driver: the bound driver's name, if any. */
    public synchronized Optional<String> driverOf(PciAddress address) {
        return Optional.ofNullable(function("readlink driver", address).driverName());
    }

    /** echo ADDR > /sys/bus/pci/devices/ADDR/driver/unbind. */
    public synchronized void unbind(PciAddress address) {
        String op = "sysfs driver/unbind";
        HostPciFunction f = function(op, address);
        PciDriver d = f.driver();
        if (d == null) {
            throw new ErrnoException(op, Errno.ENOENT, address + " has no driver");
        }
        d.remove(f);
        f.setDriver(null);
        f.setDriverData(null);
    }

    /** echo ADDR > /sys/bus/pci/drivers/NAME/bind. */
    public synchronized void bind(String driverName, PciAddress address) {
        String op = "sysfs drivers/" + driverName + "/bind";
        PciDriver d = drivers.get(driverName);
        if (d == null) {
            throw new ErrnoException(op, Errno.ENOENT, "no driver " + driverName);
        }
        HostPciFunction f = function(op, address);
        if (f.driver() != null) {
            throw new ErrnoException(op, Errno.EBUSY, address + " is bound to " + f.driverName());
        }
        if (!matches(d, f)) {
            throw new ErrnoException(op, Errno.ENODEV, driverName + " does not match " + address + " ("
                    + f.identity().ids() + (f.driverOverride() != null ? ", driver_override=" + f.driverOverride() : "") + ")");
        }
        probe(d, f);
    }

    /** echo "VVVV DDDD" > /sys/bus/pci/drivers/NAME/new_id: adds the id and binds every free match. */
    public synchronized void newId(String driverName, int vendorId, int deviceId) {
        String op = "sysfs drivers/" + driverName + "/new_id";
        PciDriver d = drivers.get(driverName);
        if (d == null) {
            throw new ErrnoException(op, Errno.ENOENT, "no driver " + driverName);
        }
        if ((vendorId & ~0xffff) != 0 || (deviceId & ~0xffff) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, String.format("ids 0x%x 0x%x", vendorId, deviceId));
        }
        idTables.get(driverName).add(vendorId << 16 | deviceId);
        for (HostPciFunction f : functions.values()) {
            if (f.driver() == null && matches(d, f)) {
                try {
                    probe(d, f);
                } catch (ErrnoException e) {
                    // driver_attach ignores a device whose probe fails (vfio-pci refuses bridges)
                }
            }
        }
    }

    /** echo NAME > /sys/bus/pci/devices/ADDR/driver_override ("" or null clears it). */
    public synchronized void setDriverOverride(PciAddress address, String driverName) {
        HostPciFunction f = function("sysfs driver_override", address);
        f.setDriverOverride(driverName == null || driverName.isEmpty() ? null : driverName);
    }

    public synchronized String driverOverride(PciAddress address) {
        return function("sysfs driver_override", address).driverOverride();
    }

    /** echo ADDR > /sys/bus/pci/drivers_probe: binds the first matching driver, if unbound. */
    public synchronized void driversProbe(PciAddress address) {
        String op = "sysfs drivers_probe";
        HostPciFunction f = function(op, address);
        if (f.driver() != null) {
            return;
        }
        for (PciDriver d : drivers.values()) {
            if (matches(d, f)) {
                probe(d, f);
                return;
            }
        }
    }

    private boolean matches(PciDriver d, HostPciFunction f) {
        if (f.driverOverride() != null) {
            return f.driverOverride().equals(d.name());
        }
        Set<Integer> table = idTables.get(d.name());
        return table != null && table.contains(ids(f.identity()));
    }

    private void probe(PciDriver d, HostPciFunction f) {
        d.probe(f);
        f.setDriver(d);
    }

    /** A host (non-VFIO) driver: refuses a function whose group a VFIO user owns (EBUSY). */
    private record NativeDriver(String name) implements PciDriver {
        @Override
        public void probe(HostPciFunction function) {
            if (function.iommuGroup().dmaOwner() != null) {
                throw new ErrnoException("probe " + name, Errno.EBUSY, function.address() + ": IOMMU group "
                        + function.iommuGroup().id() + " is owned by a VFIO user");
            }
        }

        @Override
        public void remove(HostPciFunction function) {
        }
    }

    /** Describes a topology; {@link #build()} computes groups and binds host drivers. */
    public static final class Builder {
        private final Map<PciAddress, HostPciFunction> functions = new TreeMap<>();
        private final Map<PciAddress, Integer> pinnedGroups = new HashMap<>();
        private HostMemoryRegistry memory;
        private LockedMemoryAccount memlock;
        private IommuHardware iommu = IommuHardware.x86();
        private int firstGroupNumber;

        private Builder() {
        }

        public Builder memory(HostMemoryRegistry memory) {
            this.memory = memory;
            return this;
        }

        /** The process's locked-memory limit and privilege (default 8 MiB, unprivileged). */
        public Builder memlock(LockedMemoryAccount memlock) {
            this.memlock = memlock;
            return this;
        }

        public Builder iommu(IommuHardware iommu) {
            this.iommu = iommu;
            return this;
        }

        public Builder firstGroupNumber(int n) {
            this.firstGroupNumber = n;
            return this;
        }

        /** Gives the group that will hold {@code address} the number {@code n}. */
        public Builder groupNumber(String address, int n) {
            pinnedGroups.put(PciAddress.parse(address), n);
            return this;
        }

        /** A bridge with no host driver. */
        public Builder bridge(String address, BridgeType type, int secondaryBus, boolean acs) {
            return bridge(address, type, secondaryBus, acs,
                    PciIdentity.of(0x8086, 0x244e, type == BridgeType.PCIE_TO_PCI ? 0x060401 : 0x060400, 0x90), null);
        }

        public Builder bridge(String address, BridgeType type, int secondaryBus, boolean acs, PciIdentity identity,
                String nativeDriver) {
            if (secondaryBus < 1 || secondaryBus > 0xff) {
                throw new IllegalArgumentException("bridge " + address + " secondary bus " + secondaryBus + " out of range");
            }
            return add(new HostPciFunction(PciAddress.parse(address), identity, type, secondaryBus, acs, null, nativeDriver));
        }

        /** An endpoint function backed by {@code model}, bound to {@code nativeDriver} at boot (null: none). */
        public Builder endpoint(String address, PciDeviceModel model, String nativeDriver, boolean acs) {
            return add(new HostPciFunction(PciAddress.parse(address), model.identity(), null, -1, acs, model, nativeDriver));
        }

        private Builder add(HostPciFunction f) {
            if (functions.putIfAbsent(f.address(), f) != null) {
                throw new IllegalArgumentException("two functions at " + f.address());
            }
            return this;
        }

        public HostPciPlatform build() {
            return new HostPciPlatform(this);
        }
    }
}
