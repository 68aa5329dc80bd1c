package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;

/**
 * The calls a VFIO device answers, the same on both sides of the device fd: the device ioctls and
 * the read/write/mmap file operations, one to one. A bus driver implements them as
 * {@link VfioDeviceOps} (struct vfio_device_ops plus the ioctls), a consumer holds them as a
 * {@link VfioDeviceFile}. Failures are {@link ErrnoException}s with the errno the kernel (or a
 * vfio-user server) gives.
 */
public interface VfioDeviceCalls {

    /** The device's name (dev_name: the PCI address, the mdev UUID, or the vfio-user socket). */
    String name();

    /** VFIO_DEVICE_GET_INFO. */
    DeviceInfo getInfo();

    /** VFIO_DEVICE_GET_REGION_INFO. */
    RegionInfo getRegionInfo(int index);

    /** pread at a file offset ({@code index << 40 | offset}): bytes read. */
    long read(long fileOffset, MemorySegment buffer);

    /** pwrite at a file offset: bytes written. */
    long write(long fileOffset, MemorySegment buffer);

    /** mmap(length, PROT_READ|PROT_WRITE, MAP_SHARED, device, fileOffset). */
    RegionMapping mmap(long fileOffset, long length);

    /** VFIO_DEVICE_GET_IRQ_INFO. */
    IrqInfo getIrqInfo(int index);

    /** VFIO_DEVICE_SET_IRQS. */
    void setIrqs(IrqSet set);

    /** VFIO_DEVICE_RESET. */
    void reset();

    /**
     * VFIO_DEVICE_QUERY_GFX_PLANE on a struct vfio_device_gfx_plane_info in caller memory
     * ({@link org.jvmm.vfio.uapi.GfxPlaneInfo}); a device without a display answers ENOTTY (the default).
     */
    default void queryGfxPlane(MemorySegment planeInfo) {
        throw new ErrnoException("VFIO_DEVICE_QUERY_GFX_PLANE", Errno.ENOTTY, name() + " has no display");
    }

    /** VFIO_DEVICE_GET_GFX_DMABUF: a new dma-buf fd for a dmabuf id; ENOTTY without a display (the default). */
    default GfxDmabuf getGfxDmabuf(int dmabufId) {
        throw new ErrnoException("VFIO_DEVICE_GET_GFX_DMABUF", Errno.ENOTTY, name() + " has no display");
    }
}
