package org.jvmm.vfio.mdev;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.iommu.DmaUnmapListener;

/**
 * What a vendor driver supplies for its mdev's VFIO device (struct vfio_device_ops): the core
 * counts fds and calls {@link #openDevice} on the first and {@link #closeDevice} on the last;
 * everything else is forwarded as the device fd's file operations and ioctls. File offsets are
 * the vendor's own: whatever {@link #getRegionInfo} reports.
 *
 * <p>Optional callbacks: {@link #request} (asked to let go while a removal waits, A-12) and
 * {@link #dmaUnmap} (the TYPE1 unmap notifier; a driver without one cannot pin pages).
 */
public interface MdevDeviceOps {

    /** open_device: the first fd; an ErrnoException is what VFIO_GROUP_GET_DEVICE_FD returns. */
    default void openDevice() {
    }

    /** close_device: the last fd closed; the vendor must unpin everything and drop its eventfds. */
    default void closeDevice() {
    }

    DeviceInfo getInfo();

    RegionInfo getRegionInfo(int index);

    IrqInfo getIrqInfo(int index);

    void setIrqs(IrqSet set);

    void reset();

    /** pread at a file offset of the vendor's layout: bytes read. */
    long read(long fileOffset, MemorySegment buffer);

    /** pwrite at a file offset of the vendor's layout: bytes written. */
    long write(long fileOffset, MemorySegment buffer);

    /** mmap; a driver without an mmap method answers EINVAL (vfio_device_fops_mmap). */
    default RegionMapping mmap(long fileOffset, long length) {
        throw new ErrnoException("mmap", Errno.EINVAL, "offset 0x" + Long.toHexString(fileOffset)
                + ": the vendor driver has no mmap");
    }

    /** True when the driver has a request callback. */
    default boolean hasRequest() {
        return false;
    }

    /** request(count): a removal is waiting for the user to close the device (count 0, 1, 2 ...). */
    default void request(int count) {
    }

    /** The dma_unmap callback, or null when the driver has none (and so may not pin). */
    default DmaUnmapListener dmaUnmap() {
        return null;
    }

    /** VFIO_DEVICE_QUERY_GFX_PLANE; ENOTTY for a vendor without a display. */
    default void queryGfxPlane(MemorySegment planeInfo) {
        throw new ErrnoException("VFIO_DEVICE_QUERY_GFX_PLANE", Errno.ENOTTY, "the vendor driver has no display");
    }

    /** VFIO_DEVICE_GET_GFX_DMABUF; ENOTTY for a vendor without a display. */
    default org.jvmm.vfio.GfxDmabuf getGfxDmabuf(int dmabufId) {
        throw new ErrnoException("VFIO_DEVICE_GET_GFX_DMABUF", Errno.ENOTTY, "the vendor driver has no display");
    }

    /** The vendor's migration callbacks, or null for a driver without migration. */
    default org.jvmm.vfio.VfioMigrationOps migrationOps() {
        return null;
    }

    /** The vendor's DMA dirty-logging callbacks, or null. */
    default org.jvmm.vfio.VfioLogOps logOps() {
        return null;
    }
}
