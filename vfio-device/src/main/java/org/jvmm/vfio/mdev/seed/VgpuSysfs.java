package org.jvmm.vfio.mdev.seed;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.mdev.MdevBus;
import org.jvmm.vfio.mdev.MdevDevice;
import org.jvmm.vfio.mdev.MdevParent;

/**
 * Seed 003's sysfs (drivers/vgpu/vgpu_sysfs.c of the 2016 prototype), rule A-0a, over the same
 * mdev core as mainline:
 * <pre>
 * PARENT_DEVICE/vgpu_supported_types   read: one "ID:name" line per type
 * PARENT_DEVICE/vgpu_create            write "VM_UUID:INSTANCE:TYPE_ID"
 * PARENT_DEVICE/vgpu_destroy           write "VM_UUID:INSTANCE"
 * /sys/class/vgpu/vgpu_start           write "VM_UUID"
 * /sys/class/vgpu/vgpu_shutdown        write "VM_UUID"
 * </pre>
 * where PARENT_DEVICE is the parent's device directory ({@link MdevParent#devicePath()}).
 *
 * <ul>
 * <li>{@code vgpu_create}: any parse failure, or any failure of the create (the core's or the
 *     vendor's errno), is EINVAL; the vendor's own errno is discarded, as the seed did.</li>
 * <li>{@code vgpu_destroy} of an unknown {@code uuid:instance} succeeds silently.</li>
 * <li>{@code vgpu_start}/{@code vgpu_shutdown} act on instance 0 of the UUID only, and succeed
 *     silently when it does not exist.</li>
 * </ul>
 *
 * <p>Mapping onto the mainline core [model decision]: a type ID is the type's sysfs name (mtty's
 * {@code 1}, mbochs's {@code small}); the mdev of instance 0 is named by the VM UUID itself (so
 * {@code sysfsdev=/sys/bus/mdev/devices/VM_UUID} reaches it), instance N by the name-based UUID of
 * "VM_UUID:N" (the core needs unique names, which the seed's pair gave); start and shutdown only
 * record the state, since mainline replaced them with the device's first open and last close.
 *
 * <p>Thread-safe: this object's monitor guards its table; the core does its own locking.
 */
public final class VgpuSysfs {
    public static final String CLASS = "/sys/class/vgpu";
    private final MdevBus bus;
    /** "VM_UUID:instance" (lowercase) to the mdev's name. */
    private final Map<String, String> vgpus = new LinkedHashMap<>();
    private final Set<String> started = new HashSet<>();

    public VgpuSysfs(MdevBus bus) {
        this.bus = bus;
    }

    /** cat PATH: only {@code PARENT_DEVICE/vgpu_supported_types} is readable. */
    public String read(String path) {
        MdevParent p = parentOf("read", path, "vgpu_supported_types");
        StringBuilder sb = new StringBuilder();
        for (String dir : p.typeDirNames()) {
            var t = p.type(dir);
            sb.append(t.sysfsName()).append(':').append(t.prettyName() != null ? t.prettyName() : t.sysfsName()).append('\n');
        }
        return sb.toString();
    }

    /** echo TEXT > PATH: the bytes consumed. */
    public int write(String path, String text) {
        String value = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (path.equals(CLASS + "/vgpu_start") || path.equals(CLASS + "/vgpu_shutdown")) {
            boolean start = path.endsWith("start");
            UUID uuid = parse(value);
            synchronized (this) {
                String key = uuid == null ? null : uuid + ":0";
                if (key != null && vgpus.containsKey(key) && bus.device(vgpus.get(key)) != null) {
                    if (start) {
                        started.add(key);
                    } else {
                        started.remove(key);
                    }
                }
            }
            return text.length(); // instance 0 only; silently nothing otherwise
        }
        if (path.endsWith("/vgpu_create")) {
            return create(parentOf("write", path, "vgpu_create"), path, value, text.length());
        }
        if (path.endsWith("/vgpu_destroy")) {
            parentOf("write", path, "vgpu_destroy");
            destroy(value);
            return text.length();
        }
        throw new ErrnoException("write " + path, Errno.ENOENT, "no such file or directory: " + path);
    }

    private int create(MdevParent p, String path, String value, int length) {
        String op = "write " + path;
        String[] parts = value.split(":", -1);
        UUID uuid = parts.length == 3 ? parse(parts[0]) : null;
        int instance = parts.length == 3 ? parseInstance(parts[1]) : -1;
        if (uuid == null || instance < 0 || parts[2].isEmpty() || p.type(p.driverName() + "-" + parts[2]) == null) {
            throw new ErrnoException(op, Errno.EINVAL, "\"" + value + "\" is not VM_UUID:INSTANCE:TYPE_ID of this parent");
        }
        String key = uuid + ":" + instance;
        String name = instance == 0 ? uuid.toString()
                : UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.US_ASCII)).toString();
        synchronized (this) {
            if (vgpus.containsKey(key)) {
                throw new ErrnoException(op, Errno.EINVAL, "vGPU " + key + " exists");
            }
            try {
                bus.write(p.devicePath() + "/mdev_supported_types/" + p.driverName() + "-" + parts[2] + "/create", name);
            } catch (ErrnoException e) {
                throw new ErrnoException(op, Errno.EINVAL, "\"" + value + "\": create failed (" + e.getMessage() + ")");
            }
            vgpus.put(key, name);
        }
        return length;
    }

    private void destroy(String value) {
        String[] parts = value.split(":", -1);
        UUID uuid = parts.length == 2 ? parse(parts[0]) : null;
        int instance = parts.length == 2 ? parseInstance(parts[1]) : -1;
        if (uuid == null || instance < 0) {
            return; // the seed looked it up and found nothing: success
        }
        String key = uuid + ":" + instance;
        String name;
        synchronized (this) {
            name = vgpus.remove(key);
            started.remove(key);
        }
        if (name != null && bus.device(name) != null) {
            bus.write("/sys/bus/mdev/devices/" + name + "/remove", "1");
        }
    }

    /** The mdev name of vGPU {@code vmUuid:instance}, or null. */
    public synchronized String mdevName(String vmUuid, int instance) {
        UUID u = parse(vmUuid);
        return u == null ? null : vgpus.get(u + ":" + instance);
    }

    /** True between vgpu_start and vgpu_shutdown of instance 0 of {@code vmUuid}. */
    public synchronized boolean started(String vmUuid) {
        UUID u = parse(vmUuid);
        return u != null && started.contains(u + ":0");
    }

    private MdevParent parentOf(String verb, String path, String file) {
        String op = verb + " " + path;
        if (path.endsWith("/" + file)) {
            String dir = path.substring(0, path.length() - file.length() - 1);
            for (String name : bus.list("/sys/class/mdev_bus")) {
                String dev = bus.readlink("/sys/class/mdev_bus/" + name);
                if (dev.equals(dir)) {
                    return parentNamed(name);
                }
            }
        }
        throw new ErrnoException(op, Errno.ENOENT, "no such file or directory: " + path);
    }

    private MdevParent parentNamed(String name) {
        MdevParent p = bus.parent(name);
        if (p == null) {
            throw new IllegalStateException("parent " + name + " vanished");
        }
        return p;
    }

    private static UUID parse(String s) {
        if (s.length() != 36) {
            return null;
        }
        try {
            UUID u = UUID.fromString(s);
            return u.toString().equalsIgnoreCase(s) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int parseInstance(String s) {
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(s);
    }

    @Override
    public String toString() {
        return "VgpuSysfs[" + vgpus.keySet() + "]";
    }
}
