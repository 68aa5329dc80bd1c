package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;

/**
 * What a VFIO bus driver (vfio-pci) does for each device-fd operation: struct vfio_device_ops,
 * whose ioctls and file operations are the {@link VfioDeviceCalls}. {@link VfioDevice} forwards
 * to it; the driver checks arguments and fails with {@link org.jvmm.host.ErrnoException}.
 */
public interface VfioDeviceOps extends VfioDeviceCalls {

    /** A device fd was opened (first open enables the device). */
    void open();

    /**
     * A device fd was opened through {@code group} (its container's IOMMU is set); the default
     * calls {@link #open()}. A mediated device uses the group to reach its container.
     */
    default void open(VfioGroup group) {
        open();
    }

    /** A device fd was closed (last close disables it and tears down interrupts). */
    void release();

    /** The driver's migration callbacks (vdev->mig_ops), or null: the migration features are then ENOTTY. */
    default VfioMigrationOps migrationOps() {
        return null;
    }

    /** The driver's DMA dirty-logging callbacks (vdev->log_ops), or null: the DMA_LOGGING features are then ENOTTY. */
    default VfioLogOps logOps() {
        return null;
    }

    /**
     * device_feature: a VFIO_DEVICE_FEATURE number the core does not handle itself, with the
     * flags, the feature's data in caller memory and argsz - 8. A driver without the op answers
     * EINVAL, as vfio_main.c does.
     */
    default void deviceFeature(int flags, MemorySegment data, long payloadArgsz) {
        throw new org.jvmm.host.ErrnoException("VFIO_DEVICE_FEATURE", org.jvmm.host.Errno.EINVAL, name()
                + " has no device_feature op (feature " + (flags & 0xffff) + ")");
    }
}
