package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;

/**
 * What a VFIO bus driver (vfio-pci) does for each device-fd operation (struct vfio_device_ops
 * plus the device ioctls). {@link VfioDevice} forwards to it; the driver checks arguments and
 * fails with {@link org.jvmm.host.ErrnoException}.
 */
public interface VfioDeviceOps {

    /** The device's name (dev_name, e.g. {@code 0000:06:0d.0}). */
    String name();

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

    DeviceInfo getInfo();

    RegionInfo getRegionInfo(int index);

    /** pread at a file offset ({@code index << 40 | offset}): bytes read. */
    long read(long fileOffset, MemorySegment buffer);

    /** pwrite at a file offset: bytes written. */
    long write(long fileOffset, MemorySegment buffer);

    /** mmap(MAP_SHARED) of [fileOffset, fileOffset + length). */
    RegionMapping mmap(long fileOffset, long length);

    IrqInfo getIrqInfo(int index);

    void setIrqs(IrqSet set);

    void reset();

    /**
     * VFIO_DEVICE_QUERY_GFX_PLANE on a struct vfio_device_gfx_plane_info in caller memory
     * ({@link org.jvmm.vfio.uapi.GfxPlaneInfo}); a device without a display answers ENOTTY.
     */
    default void queryGfxPlane(MemorySegment planeInfo) {
        throw new org.jvmm.host.ErrnoException("VFIO_DEVICE_QUERY_GFX_PLANE", org.jvmm.host.Errno.ENOTTY,
                name() + " has no display");
    }

    /** VFIO_DEVICE_GET_GFX_DMABUF: a new dma-buf fd for a dmabuf id; ENOTTY without a display. */
    default GfxDmabuf getGfxDmabuf(int dmabufId) {
        throw new org.jvmm.host.ErrnoException("VFIO_DEVICE_GET_GFX_DMABUF", org.jvmm.host.Errno.ENOTTY,
                name() + " has no display");
    }

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
