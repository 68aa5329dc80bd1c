package org.jvmm.vfio.mdev;

/**
 * One type a parent offers (struct mdev_type): its {@code sysfsName} (the directory is named
 * {@code <parent driver>-<sysfsName>}) and its pretty name, or null when it has none (the
 * {@code name} attribute then shows the sysfs name). Compared by identity, as the kernel's are.
 */
public final class MdevType {
    private final String sysfsName;
    private final String prettyName;

    public MdevType(String sysfsName, String prettyName) {
        if (sysfsName == null || sysfsName.isEmpty() || sysfsName.contains("/")) {
            throw new IllegalArgumentException("mdev type sysfs name \"" + sysfsName + "\" is empty or holds a '/'");
        }
        this.sysfsName = sysfsName;
        this.prettyName = prettyName;
    }

    public String sysfsName() {
        return sysfsName;
    }

    /** The pretty name, or null. */
    public String prettyName() {
        return prettyName;
    }

    @Override
    public String toString() {
        return "MdevType[" + sysfsName + (prettyName == null ? "" : ", " + prettyName) + "]";
    }
}
