package org.jvmm.vfio.mdev;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.UUID;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.vfio.Vfio;

/**
 * The mdev core of one host (Linux drivers/vfio/mdev/mdev_core.c, mdev_sysfs.c, mdev_driver.c):
 * parents register their types, users create and remove mdevs by writing sysfs files, and each
 * mdev becomes a VFIO device alone in a new emulated IOMMU group of the host's {@link Vfio}.
 *
 * <p>The sysfs tree is reached by path, with the kernel's names:
 * <pre>
 * /sys/class/mdev_bus/PARENT/mdev_supported_types/TYPE/{create,name,device_api,available_instances,description,devices/}
 * /sys/bus/mdev/devices/UUID/{remove,mdev_type,iommu_group}
 * </pre>
 * /sys/class/mdev_bus/PARENT is a link to the parent's device directory
 * ({@link MdevParent#devicePath()}, /sys/devices/virtual/PARENT/PARENT in this model); the link goes
 * as unregistration starts, the directory's types only after the parent's mdevs are gone.
 * {@link #list} is ls, {@link #read} is cat, {@link #write} is echo (returning the bytes the
 * write consumed), {@link #readlink} gives a link's target as an absolute path. A missing path is
 * ENOENT; reading a write-only attribute or writing a read-only one is EIO.
 *
 * <p>Thread rules: the mdev list is guarded by this object's monitor (mdev_list_lock); each
 * parent's unregistration lock is held for reading by a create or a remove and for writing by
 * unregistration, and a create or remove that cannot take it fails with ENODEV. A removal of an
 * open mdev waits holding neither the list lock nor the platform lock.
 */
public final class MdevBus {
    /** The interval between request callbacks while a removal waits (10 s in the kernel). */
    public static final Duration DEFAULT_REQUEST_INTERVAL = Duration.ofSeconds(10);
    private static final String CLASS = "/sys/class/mdev_bus";
    private static final String BUS = "/sys/bus/mdev/devices";

    private final Vfio vfio;
    private final Map<String, MdevParent> parents = new LinkedHashMap<>();
    private final List<MdevDevice> mdevs = new ArrayList<>();
    private final List<String> uevents = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private volatile long requestIntervalNanos = DEFAULT_REQUEST_INTERVAL.toNanos();

    private MdevBus(Vfio vfio) {
        this.vfio = vfio;
    }

    /** Loads the mdev module on a host's VFIO core; EEXIST when it is loaded already. */
    public static MdevBus load(Vfio vfio) {
        vfio.loadModule("mdev");
        return new MdevBus(vfio);
    }

    public Vfio vfio() {
        return vfio;
    }

    /** Sets the interval between request callbacks of a waiting removal (tests shorten it). */
    public void setRequestInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("request interval " + interval + " is not positive");
        }
        requestIntervalNanos = interval.toNanos();
    }

    // ---- parents (A-1, A-2) ----

    /**
     * mdev_register_parent: creates {@code mdev_supported_types/} under the parent with one
     * directory per type ({@code <parentDriver>-<sysfs name>}, each with an empty
     * {@code devices/}), the link /sys/class/mdev_bus/PARENT, and sends the change uevent
     * {@code MDEV_STATE=registered}. EEXIST when a parent of that name is registered.
     */
    public MdevParent registerParent(String parentName, String parentDriver, MdevDriver driver, List<MdevType> types) {
        MdevParent p = new MdevParent(parentName, parentDriver, driver, types);
        synchronized (this) {
            if (parents.containsKey(parentName)) {
                throw new ErrnoException("mdev_register_parent " + parentName, Errno.EEXIST, "parent " + parentName
                        + " is registered already");
            }
            parents.put(parentName, p);
            uevents.add(parentName + " MDEV_STATE=registered");
        }
        return p;
    }

    /**
     * mdev_unregister_parent: takes the parent's unregistration lock for writing (creates and
     * removes starting meanwhile fail with ENODEV), removes the class link, removes every mdev of
     * the parent (waiting for open fds, A-12), removes the type directories and sends
     * {@code MDEV_STATE=unregistered}.
     */
    public void unregisterParent(MdevParent parent) {
        parent.unregLock.writeLock().lock();
        try {
            List<MdevDevice> children = new ArrayList<>();
            synchronized (this) {
                if (!parent.registered || parents.get(parent.name()) != parent) {
                    throw new IllegalStateException(parent + " is not registered");
                }
                parent.registered = false; // the class link goes
                for (MdevDevice m : mdevs) {
                    if (m.parent() == parent && m.added) {
                        children.add(m);
                    }
                }
            }
            for (MdevDevice m : children) {
                removeCommon(m);
            }
            synchronized (this) {
                parents.remove(parent.name());
                uevents.add(parent.name() + " MDEV_STATE=unregistered");
            }
        } finally {
            parent.unregLock.writeLock().unlock();
        }
    }

    /** The change uevents sent (PARENT MDEV_STATE=...), oldest first. */
    public synchronized List<String> uevents() {
        return List.copyOf(uevents);
    }

    /** Kernel log lines the core wrote (warnings, a removal blocked by an interrupt), oldest first. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    synchronized void log(String line) {
        log.add(line);
    }

    /** The registered parent named {@code name}, or null. */
    public synchronized MdevParent parent(String name) {
        MdevParent p = parents.get(name);
        return p != null && p.registered ? p : null;
    }

    /** The mdev named {@code uuid} (any case), or null. */
    public synchronized MdevDevice device(String uuid) {
        for (MdevDevice m : mdevs) {
            if (m.added && m.name().equalsIgnoreCase(uuid)) {
                return m;
            }
        }
        return null;
    }

    // ---- create (A-5 .. A-8) ----

    private int create(String op, MdevParent parent, MdevType type, String text) {
        int len = text.length();
        if (len != 36 && len != 37) {
            throw new ErrnoException(op, Errno.EINVAL, "\"" + text.strip() + "\": " + len + " bytes, a UUID is 36 (37 with a newline)");
        }
        UUID uuid = parseUuid(text.substring(0, 36));
        if (uuid == null) {
            throw new ErrnoException(op, Errno.EINVAL, "\"" + text.substring(0, 36) + "\" is not a UUID (8-4-4-4-12 hex)");
        }
        MdevDriver driver = parent.driver();
        boolean counted = driver.getAvailable(type).isEmpty();
        MdevDevice mdev;
        synchronized (this) {
            for (MdevDevice m : mdevs) {
                if (m.uuid().equals(uuid)) {
                    throw new ErrnoException(op, Errno.EEXIST, "an mdev named " + m.name() + " exists");
                }
            }
            if (counted) {
                if (parent.availableInstances == 0) {
                    throw new ErrnoException(op, Errno.EUSERS, "no instance of " + parent.typeDirName(type) + " left");
                }
                parent.availableInstances--;
            }
            mdev = new MdevDevice(this, parent, type, uuid);
            mdevs.add(mdev); // (1) the UUID is taken
        }
        if (!parent.unregLock.readLock().tryLock()) { // (2)
            undoCreate(mdev, counted);
            throw new ErrnoException(op, Errno.ENODEV, "parent " + parent.name() + " is being unregistered");
        }
        try {
            synchronized (this) {
                mdev.added = true; // (3) /sys/bus/mdev/devices/UUID
            }
            MdevDeviceOps ops;
            try {
                ops = driver.probe(mdev); // (4) the vendor's errno is the write's
                if (ops == null) {
                    throw new IllegalStateException(parent + ": probe of " + mdev.name() + " returned no device");
                }
            } catch (RuntimeException e) {
                undoCreate(mdev, counted);
                throw e;
            }
            mdev.setVendor(ops);
            IommuGroup g = vfio.registerEmulatedIommuDevice(mdev.vfioOps());
            mdev.setGroup(g);
            synchronized (this) {
                mdev.state = MdevDevice.State.ACTIVE; // (5) links, (6) active
            }
            return len;
        } finally {
            parent.unregLock.readLock().unlock();
        }
    }

    private synchronized void undoCreate(MdevDevice mdev, boolean counted) {
        mdevs.remove(mdev);
        mdev.added = false;
        mdev.state = MdevDevice.State.GONE;
        if (counted) {
            mdev.parent().availableInstances++;
        }
    }

    /** uuid_parse: exactly 8-4-4-4-12 hex digits, any case; null otherwise. */
    static UUID parseUuid(String s) {
        if (s.length() != 36) {
            return null;
        }
        long hi = 0;
        long lo = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return null;
                }
                continue;
            }
            int v = Character.digit(c, 16);
            if (v < 0 || c > 'f') {
                return null;
            }
            if (digits < 16) {
                hi = hi << 4 | v;
            } else {
                lo = lo << 4 | v;
            }
            digits++;
        }
        return new UUID(hi, lo);
    }

    // ---- remove (A-10 .. A-13) ----

    private int removeStore(MdevDevice mdev, String text) {
        String op = "write " + BUS + "/" + mdev.name() + "/remove";
        long val = parseUnsigned(text);
        if (val == -1) {
            throw new ErrnoException(op, Errno.EINVAL, "\"" + text.strip() + "\" is not a number");
        }
        if (val == 0) {
            return text.length();
        }
        synchronized (this) {
            if (mdev.removeFileGone) {
                return text.length(); // another writer removes it (device_remove_file_self)
            }
            mdev.removeFileGone = true;
        }
        deviceRemove(op, mdev);
        return text.length();
    }

    /** mdev_device_remove: ENODEV off the list, EAGAIN while being created or removed, ENODEV during unregistration. */
    private void deviceRemove(String op, MdevDevice mdev) {
        synchronized (this) {
            if (!mdevs.contains(mdev)) {
                throw new ErrnoException(op, Errno.ENODEV, mdev.name() + " is no longer an mdev");
            }
            if (mdev.state != MdevDevice.State.ACTIVE) {
                throw new ErrnoException(op, Errno.EAGAIN, mdev.name() + " is being "
                        + (mdev.state == MdevDevice.State.CREATING ? "created" : "removed"));
            }
            mdev.state = MdevDevice.State.REMOVING;
        }
        MdevParent parent = mdev.parent();
        if (!parent.unregLock.readLock().tryLock()) {
            throw new ErrnoException(op, Errno.ENODEV, "parent " + parent.name() + " is being unregistered");
        }
        try {
            removeCommon(mdev);
        } finally {
            parent.unregLock.readLock().unlock();
        }
    }

    /** The links go, the VFIO device is unregistered (waiting for open fds), the vendor releases. */
    private void removeCommon(MdevDevice mdev) {
        synchronized (this) {
            mdev.state = MdevDevice.State.REMOVING;
        }
        mdev.awaitClosed(requestIntervalNanos);
        if (mdev.group() != null) {
            vfio.unregisterEmulatedDevice(mdev.group());
        }
        synchronized (this) {
            mdev.added = false;
            mdevs.remove(mdev);
            mdev.state = MdevDevice.State.GONE;
            if (mdev.parent().driver().getAvailable(mdev.type()).isEmpty()) {
                mdev.parent().availableInstances++;
            }
        }
        mdev.parent().driver().release(mdev);
    }

    /** kstrtoul(s, 0): decimal, 0x hex or 0 octal, one trailing newline allowed; -1 when not a number. */
    static long parseUnsigned(String s) {
        String t = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        if (t.startsWith("+")) {
            t = t.substring(1);
        }
        int radix = 10;
        if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            t = t.substring(1);
        }
        if (t.isEmpty()) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < t.length(); i++) {
            int d = Character.digit(t.charAt(i), radix);
            if (d < 0) {
                return -1;
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, radix)) > 0) {
                return -1; // ERANGE: also refused
            }
            v = v * radix + d;
        }
        return v == -1 ? -2 : v;
    }

    // ---- sysfs ----

    /** ls PATH. */
    public synchronized List<String> list(String path) {
        String p = strip(path);
        if (p.equals(CLASS)) {
            return parents.values().stream().filter(x -> x.registered).map(MdevParent::name).sorted().toList();
        }
        if (p.equals(BUS)) {
            return mdevs.stream().filter(m -> m.added).map(MdevDevice::name).sorted().toList();
        }
        if (p.startsWith(BUS + "/")) {
            MdevDevice m = mdevAt("ls", p, p.substring(BUS.length() + 1));
            if (p.equals(BUS + "/" + m.name())) {
                TreeSet<String> out = new TreeSet<>(List.of("iommu_group", "mdev_type"));
                if (!m.removeFileGone) {
                    out.add("remove");
                }
                if (!m.parent().driver().vendorAttributes(m).isEmpty()) {
                    out.add("vendor");
                }
                return List.copyOf(out);
            }
            if (p.equals(BUS + "/" + m.name() + "/vendor")) {
                java.util.Map<String, String> attrs = m.parent().driver().vendorAttributes(m);
                if (!attrs.isEmpty()) {
                    return attrs.keySet().stream().sorted().toList();
                }
            }
            throw enoent("ls", p);
        }
        Under u = under("ls", p);
        if (u != null) {
            String[] parts = u.parts;
            if (parts.length == 0) {
                return List.of("mdev_supported_types");
            }
            if (!parts[0].equals("mdev_supported_types")) {
                throw enoent("ls", p);
            }
            if (parts.length == 1) {
                return u.parent.typeDirNames().stream().sorted().toList();
            }
            MdevType type = typeAt("ls", p, u.parent, parts[1]);
            if (parts.length == 2) {
                TreeSet<String> out = new TreeSet<>(List.of("available_instances", "create", "device_api", "devices", "name"));
                if (u.parent.driver().description(type) != null) {
                    out.add("description");
                }
                return List.copyOf(out);
            }
            if (parts.length == 3 && parts[2].equals("devices")) {
                return mdevs.stream().filter(m -> m.added && m.type() == type).map(MdevDevice::name).sorted().toList();
            }
        }
        throw enoent("ls", p);
    }

    /** cat PATH: an attribute's text, newline included. */
    public String read(String path) {
        String p = strip(path);
        String op = "read " + p;
        MdevParent parent;
        MdevType type;
        String attr;
        synchronized (this) {
            if (p.startsWith(BUS + "/")) {
                MdevDevice m = mdevAt(op, p, p.substring(BUS.length() + 1));
                if (p.equals(BUS + "/" + m.name() + "/remove") && !m.removeFileGone) {
                    throw new ErrnoException(op, Errno.EIO, "remove is write-only");
                }
                String vendor = BUS + "/" + m.name() + "/vendor/";
                if (p.startsWith(vendor)) {
                    String text = m.parent().driver().vendorAttributes(m).get(p.substring(vendor.length()));
                    if (text != null) {
                        return text;
                    }
                }
                throw enoent(op, p);
            }
            Under u = under(op, p);
            if (u == null || u.parts.length != 3 || !u.parts[0].equals("mdev_supported_types")) {
                throw enoent(op, p);
            }
            parent = u.parent;
            type = typeAt(op, p, parent, u.parts[1]);
            attr = u.parts[2];
        }
        MdevDriver d = parent.driver();
        return switch (attr) {
            case "name" -> (type.prettyName() != null ? type.prettyName() : type.sysfsName()) + "\n";
            case "device_api" -> d.deviceApi() + "\n";
            case "available_instances" -> {
                OptionalInt a = d.getAvailable(type);
                if (a.isPresent()) {
                    yield a.getAsInt() + "\n";
                }
                synchronized (this) {
                    yield parent.availableInstances + "\n";
                }
            }
            case "description" -> {
                String desc = d.description(type);
                if (desc == null) {
                    throw enoent(op, p);
                }
                yield desc + "\n";
            }
            case "create" -> throw new ErrnoException(op, Errno.EIO, "create is write-only");
            default -> throw enoent(op, p);
        };
    }

    /** echo TEXT > PATH: the bytes consumed. */
    public int write(String path, String text) {
        String p = strip(path);
        String op = "write " + p;
        MdevParent parent;
        MdevType type;
        MdevDevice toRemove;
        synchronized (this) {
            if (p.startsWith(BUS + "/")) {
                MdevDevice m = mdevAt(op, p, p.substring(BUS.length() + 1));
                if (!p.equals(BUS + "/" + m.name() + "/remove") || m.removeFileGone) {
                    throw enoent(op, p);
                }
                toRemove = m;
                parent = null;
                type = null;
            } else {
                toRemove = null;
                Under u = under(op, p);
                if (u == null || u.parts.length != 3 || !u.parts[0].equals("mdev_supported_types")) {
                    throw enoent(op, p);
                }
                parent = u.parent;
                type = typeAt(op, p, parent, u.parts[1]);
                switch (u.parts[2]) {
                    case "create" -> {
                    }
                    case "name", "device_api", "available_instances" ->
                        throw new ErrnoException(op, Errno.EIO, u.parts[2] + " is read-only");
                    case "description" -> {
                        if (parent.driver().description(type) == null) {
                            throw enoent(op, p);
                        }
                        throw new ErrnoException(op, Errno.EIO, "description is read-only");
                    }
                    default -> throw enoent(op, p);
                }
            }
        }
        return toRemove != null ? removeStore(toRemove, text) : create(op, parent, type, text);
    }

    /** readlink PATH: the link's target, absolute. */
    public synchronized String readlink(String path) {
        String p = strip(path);
        String op = "readlink " + p;
        if (p.startsWith(BUS + "/")) {
            MdevDevice m = mdevAt(op, p, p.substring(BUS.length() + 1));
            if (p.equals(BUS + "/" + m.name())) {
                return m.parent().devicePath() + "/" + m.name();
            }
            if (p.equals(BUS + "/" + m.name() + "/iommu_group")) {
                if (m.iommuGroupNumber() < 0) {
                    throw enoent(op, p);
                }
                return "/sys/kernel/iommu_groups/" + m.iommuGroupNumber();
            }
            if (p.equals(BUS + "/" + m.name() + "/mdev_type")) {
                return m.parent().devicePath() + "/mdev_supported_types/" + m.parent().typeDirName(m.type());
            }
            throw enoent(op, p);
        }
        if (p.startsWith(CLASS + "/") && p.indexOf('/', CLASS.length() + 1) < 0) {
            MdevParent parent = parents.get(p.substring(CLASS.length() + 1));
            if (parent != null && parent.registered) {
                return parent.devicePath();
            }
            throw enoent(op, p);
        }
        Under u = under(op, p);
        if (u != null && u.parts.length == 4 && u.parts[0].equals("mdev_supported_types") && u.parts[2].equals("devices")) {
            MdevType type = typeAt(op, p, u.parent, u.parts[1]);
            for (MdevDevice m : mdevs) {
                if (m.added && m.type() == type && m.name().equals(u.parts[3])) {
                    return u.parent.devicePath() + "/" + m.name();
                }
            }
        }
        throw enoent(op, p);
    }

    /** A path below a parent: through its class link (while registered) or its device directory (while it has types). */
    private record Under(MdevParent parent, String[] parts) {
    }

    private Under under(String op, String p) {
        if (p.startsWith(CLASS + "/")) {
            String[] all = p.substring(CLASS.length() + 1).split("/");
            MdevParent parent = parents.get(all[0]);
            if (parent == null || !parent.registered) {
                throw enoent(op, p);
            }
            return new Under(parent, java.util.Arrays.copyOfRange(all, 1, all.length));
        }
        for (MdevParent parent : parents.values()) {
            String dev = parent.devicePath();
            if (p.equals(dev) || p.startsWith(dev + "/")) {
                String rest = p.substring(dev.length());
                return new Under(parent, rest.isEmpty() ? new String[0] : rest.substring(1).split("/"));
            }
        }
        return null;
    }

    private static String strip(String path) {
        return path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    }

    private MdevDevice mdevAt(String op, String path, String rest) {
        String uuid = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        for (MdevDevice m : mdevs) {
            if (m.added && m.name().equals(uuid)) {
                return m;
            }
        }
        throw enoent(op, path);
    }

    private static MdevType typeAt(String op, String path, MdevParent parent, String dir) {
        MdevType t = parent.type(dir);
        if (t == null) {
            throw enoent(op, path);
        }
        return t;
    }

    private static ErrnoException enoent(String op, String path) {
        return new ErrnoException(op, Errno.ENOENT, "no such file or directory: " + path);
    }
}
