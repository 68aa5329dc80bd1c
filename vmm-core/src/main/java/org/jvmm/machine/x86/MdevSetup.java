package org.jvmm.machine.x86;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.devices.mbochs.MbochsDriver;
import org.jvmm.devices.medu.MeduDriver;
import org.jvmm.devices.mtty.MttyDriver;
import org.jvmm.host.ErrnoException;
import org.jvmm.machine.config.MdevConfig;
import org.jvmm.machine.config.MdevParentConfig;
import org.jvmm.machine.config.VfioMdevConfig;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.mdev.MdevBus;
import org.jvmm.vfio.mdev.MdevDevice;
import org.jvmm.vfio.mdev.MdevParent;
import org.jvmm.vfio.mdev.seed.VgpuSysfs;

/**
 * The mediated-device part of an x86-toy machine's assembly, kept apart from
 * {@link X86ToyBuilder}: the host's mdev parents (sample vendor drivers, A.8, A.9, A.12), the
 * mdevs created on them before the machine starts (through mainline sysfs or seed 003's front),
 * and the mdevs given to the guest through vfio-pci {@code sysfsdev=}.
 *
 * <p>Records are checked as they are added (a parent given twice, an mdev UUID given twice, an
 * mdev given to the guest twice); what needs the host (a pool exhausted, a UUID taken, an mdev
 * that was never created) fails at build with the kernel's errno in the message. Not thread-safe:
 * one thread builds.
 */
public final class MdevSetup {
    private final Map<MdevParentConfig.Driver, MdevParentConfig> parents = new LinkedHashMap<>();
    private final Map<String, MdevConfig> mdevs = new LinkedHashMap<>();
    private final Map<String, VfioMdevConfig> guestMdevs = new LinkedHashMap<>();
    private MdevBus bus;
    private VgpuSysfs seed;
    private MdevMigration.Config migrate;
    private MdevMigration migration;

    /** Loads a parent with options; IllegalArgumentException naming both origins when given twice. */
    public void parent(MdevParentConfig p) {
        MdevParentConfig other = parents.putIfAbsent(p.driver(), p);
        if (other != null) {
            throw new IllegalArgumentException(p.origin() + ": the host has an " + p.driver().spelling() + " parent already ("
                    + other.origin() + ")");
        }
    }

    /** Creates an mdev at host build; IllegalArgumentException for an unknown parent or a UUID given twice. */
    public void mdev(MdevConfig m) {
        if (MdevParentConfig.Driver.of(m.parentDriver()) == null) {
            throw new IllegalArgumentException(m.origin() + ": '" + m.parentDriver() + "' is not an mdev parent (known: mtty, mbochs, medu)");
        }
        MdevConfig other = mdevs.putIfAbsent(m.uuid().toString(), m);
        if (other != null) {
            throw new IllegalArgumentException(m.origin() + ": an mdev named " + m.uuid() + " is created already (" + other.origin() + ")");
        }
    }

    /** Gives an mdev to the guest; IllegalArgumentException when no -mdev creates it, or it is given already. */
    public void guest(VfioMdevConfig d) {
        if (!mdevs.containsKey(d.uuid())) {
            throw new IllegalArgumentException(d.origin() + ": no mdev " + d.uuid() + " on the host (create one with -mdev TYPE,uuid="
                    + d.uuid() + ")");
        }
        if (guestMdevs.containsKey(d.uuid())) {
            throw new IllegalArgumentException(d.origin() + ": vfio " + d.uuid() + ": device is already attached");
        }
        guestMdevs.put(d.uuid(), d);
    }

    /**
     * Migrates a guest mdev into another mdev of the same type at a guest checkpoint
     * ({@link MdevMigration}); IllegalArgumentException naming the option when either mdev is not
     * created by an -mdev, the types differ, {@code to} is given to the guest, or a migration is
     * given already. Call after the -mdev and -device options.
     */
    public void migrate(MdevMigration.Config c) {
        MdevConfig from = mdevs.get(c.from());
        MdevConfig to = mdevs.get(c.to());
        if (from == null || to == null) {
            throw new IllegalArgumentException(c.origin() + ": no mdev " + (from == null ? c.from() : c.to())
                    + " on the host (create one with -mdev TYPE,uuid=...)");
        }
        if (!from.type().equals(to.type())) {
            throw new IllegalArgumentException(c.origin() + ": " + c.from() + " is " + from.type() + " but " + c.to() + " is "
                    + to.type() + "; the state image only fits an mdev of the same type");
        }
        if (!guestMdevs.containsKey(c.from())) {
            throw new IllegalArgumentException(c.origin() + ": " + c.from() + " is not given to the guest (-device vfio-pci,sysfsdev=...)");
        }
        if (guestMdevs.containsKey(c.to()) || c.to().equals(c.from())) {
            throw new IllegalArgumentException(c.origin() + ": the target " + c.to() + " must be a fresh mdev the guest does not have");
        }
        if (migrate != null) {
            throw new IllegalArgumentException(c.origin() + ": a migration is given already (" + migrate.origin() + ")");
        }
        migrate = c;
    }

    /** The migration hooked at {@link #plug}, or null. */
    public MdevMigration migration() {
        return migration;
    }

    /** The config using guest slot {@code slot}, or null. */
    public VfioMdevConfig slotUser(int slot) {
        for (VfioMdevConfig d : guestMdevs.values()) {
            if (d.slot() == slot) {
                return d;
            }
        }
        return null;
    }

    public boolean isEmpty() {
        return parents.isEmpty() && mdevs.isEmpty() && guestMdevs.isEmpty();
    }

    public List<VfioMdevConfig> guestMdevs() {
        return List.copyOf(guestMdevs.values());
    }

    /** The host's mdev core after {@link #buildHost}, or null. */
    public MdevBus bus() {
        return bus;
    }

    /** Seed 003's front over {@link #bus()}, or null before {@link #buildHost}. */
    public VgpuSysfs seedFront() {
        return seed;
    }

    /**
     * Loads the mdev module on {@code platform}'s VFIO, registers the parents (those an mdev needs
     * with defaults) and creates the mdevs, in the order given.
     *
     * @throws IllegalArgumentException naming the option when the kernel refuses a create
     */
    public void buildHost(HostPciPlatform platform) {
        if (isEmpty()) {
            return;
        }
        bus = MdevBus.load(Vfio.of(platform));
        seed = new VgpuSysfs(bus);
        Map<MdevParentConfig.Driver, MdevParentConfig> all = new LinkedHashMap<>(parents);
        for (MdevConfig m : mdevs.values()) {
            MdevParentConfig.Driver d = MdevParentConfig.Driver.of(m.parentDriver());
            all.putIfAbsent(d, MdevParentConfig.defaults(d, m.origin()));
        }
        for (MdevParentConfig p : all.values()) {
            switch (p.driver()) {
                case MTTY -> MttyDriver.load(bus);
                case MBOCHS -> MbochsDriver.load(bus, p.poolMib());
                case MEDU -> MeduDriver.load(bus, new MeduDriver.Options(p.maxInstances(), p.forgetUnpin()));
            }
        }
        for (MdevConfig m : mdevs.values()) {
            MdevParent parent = bus.parent(m.parentDriver());
            if (parent.type(m.type()) == null) {
                throw new IllegalArgumentException(m.origin() + ": " + m.parentDriver() + " has no type '" + m.type() + "' (it has "
                        + parent.typeDirNames() + ")");
            }
            try {
                if (m.front() == MdevConfig.Front.SEED) {
                    seed.write(parent.devicePath() + "/vgpu_create", m.uuid() + ":0:" + m.typeId());
                } else {
                    bus.write(parent.devicePath() + "/mdev_supported_types/" + m.type() + "/create", m.uuid().toString());
                }
            } catch (ErrnoException e) {
                throw new IllegalArgumentException(m.origin() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Plugs the guest's mdevs into {@code machine}, in the order given. */
    public void plug(X86ToyMachine machine, HostPciPlatform platform) {
        for (VfioMdevConfig g : guestMdevs.values()) {
            MdevDevice m = bus.device(g.uuid());
            if (m == null) {
                throw new IllegalArgumentException(g.origin() + ": no mdev " + g.uuid() + " on the host");
            }
            machine.addVfioMdev(platform, m.name(), m.iommuGroupNumber(), g.slot(), g.display() != VfioMdevConfig.Display.OFF,
                    g.display() == VfioMdevConfig.Display.ON);
        }
        if (migrate != null) {
            migration = MdevMigration.install(migrate, machine, platform, bus);
        }
    }

    /** The vendor devices of the guest's mdevs, for counters (pins, faults, page faults). */
    public List<Object> vendorDevices() {
        List<Object> out = new ArrayList<>();
        for (VfioMdevConfig g : guestMdevs.values()) {
            MdevDevice m = bus == null ? null : bus.device(g.uuid());
            if (m != null) {
                out.add(m.vendorDevice());
            }
        }
        return out;
    }
}
