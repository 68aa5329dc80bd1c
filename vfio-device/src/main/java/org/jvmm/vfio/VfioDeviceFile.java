package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;

/**
 * The surface of a VFIO device file a vfio-pci consumer uses: the device ioctls and the
 * read/write/mmap file operations, one to one. {@link VfioDevice} is the in-process kernel model's
 * file; {@code org.jvmm.vfiouser.VfioUserDevice} carries the same calls over a vfio-user socket
 * to a device in another process. Failures are {@link ErrnoException}s with the errno the kernel
 * (or the vfio-user server) gave; an access to a region while the device cannot answer is a
 * {@link BusErrorException} or all-ones, as the implementation documents.
 */
public interface VfioDeviceFile extends AutoCloseable {

    /** The device's name (the PCI address, the mdev UUID, or the vfio-user socket). */
    String name();

    /** VFIO_DEVICE_GET_INFO. */
    DeviceInfo getInfo();

    /** VFIO_DEVICE_GET_REGION_INFO. */
    RegionInfo getRegionInfo(int index);

    /** pread(device, buffer, fileOffset): bytes read. */
    long read(long fileOffset, MemorySegment buffer);

    /** pwrite(device, buffer, fileOffset): bytes written. */
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
     * VFIO_DEVICE_QUERY_GFX_PLANE on the struct in caller memory; ENOTTY from a file whose device
     * has no display (the default).
     */
    default void queryGfxPlane(MemorySegment planeInfo) {
        throw new ErrnoException("VFIO_DEVICE_QUERY_GFX_PLANE", Errno.ENOTTY, name() + " has no display");
    }

    /** VFIO_DEVICE_GET_GFX_DMABUF; ENOTTY from a file whose device has no display (the default). */
    default GfxDmabuf getGfxDmabuf(int dmabufId) {
        throw new ErrnoException("VFIO_DEVICE_GET_GFX_DMABUF", Errno.ENOTTY, name() + " has no display");
    }

    boolean isClosed();

    /** close(2): the device's interrupts and mappings are released. */
    @Override
    void close();
}
