package org.jvmm.vfio.mdev;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A registered parent (struct mdev_parent): the parent device's name, its driver's name (the
 * prefix of every type directory), the vendor's {@link MdevDriver} and its types, the
 * per-parent instance counter and the unregistration lock creates and removes try
 * to take.
 */
public final class MdevParent {
    private final String name;
    private final String driverName;
    private final MdevDriver driver;
    private final Map<String, MdevType> types = new LinkedHashMap<>();
    final ReentrantReadWriteLock unregLock = new ReentrantReadWriteLock();
    /** Guarded by the bus lock. */
    int availableInstances;
    /** Guarded by the bus lock. */
    boolean registered = true;

    MdevParent(String name, String driverName, MdevDriver driver, List<MdevType> types) {
        this.name = name;
        this.driverName = driverName;
        this.driver = driver;
        for (MdevType t : types) {
            if (this.types.put(typeDirName(t), t) != null) {
                throw new IllegalArgumentException("parent " + name + " has two types named " + typeDirName(t));
            }
        }
        this.availableInstances = driver.maxInstances();
    }

    /** The parent device's name (/sys/class/mdev_bus/NAME). */
    public String name() {
        return name;
    }

    /**
     * The parent device's sysfs directory, /sys/devices/virtual/NAME/NAME (a virtual device of a
     * class named as itself, as mtty's is); /sys/class/mdev_bus/NAME links to it.
     */
    public String devicePath() {
        return "/sys/devices/virtual/" + name + "/" + name;
    }

    /** The parent device's driver name: type directories are {@code <driverName>-<type sysfs name>}. */
    public String driverName() {
        return driverName;
    }

    public MdevDriver driver() {
        return driver;
    }

    /** The type directory name of {@code type}: {@code <driver name>-<sysfs name>}. */
    public String typeDirName(MdevType type) {
        return driverName + "-" + type.sysfsName();
    }

    /** The types by directory name, in registration order. */
    public List<String> typeDirNames() {
        return new ArrayList<>(types.keySet());
    }

    /** The type whose directory is {@code dirName}, or null. */
    public MdevType type(String dirName) {
        return types.get(dirName);
    }

    @Override
    public String toString() {
        return "MdevParent[" + name + ", types=" + types.keySet() + "]";
    }
}
