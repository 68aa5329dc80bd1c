package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.PciAddress;

/**
 * A VFIO device fd (from VFIO_GROUP_GET_DEVICE_FD). Methods mirror the device ioctls and the
 * read/write/mmap file operations one to one; the bus driver (vfio-pci) does the work and fails
 * with the kernel's errno.
 *
 * <p>Thread-safe (the driver serialises); one owner closes it, closing twice throws.
 */
public final class VfioDevice implements AutoCloseable {
    private final VfioGroup group;
    private final PciAddress address;
    private final VfioDeviceOps ops;
    private volatile boolean closed;

    VfioDevice(VfioGroup group, PciAddress address, VfioDeviceOps ops) {
        this.group = group;
        this.address = address;
        this.ops = ops;
    }

    /** The PCI function behind the fd; null for a mediated device (named by its UUID). */
    public PciAddress address() {
        return address;
    }

    public String name() {
        return ops.name();
    }

    /** VFIO_DEVICE_GET_INFO. */
    public DeviceInfo getInfo() {
        return live("VFIO_DEVICE_GET_INFO").getInfo();
    }

    /** VFIO_DEVICE_GET_REGION_INFO. */
    public RegionInfo getRegionInfo(int index) {
        return live("VFIO_DEVICE_GET_REGION_INFO").getRegionInfo(index);
    }

    /** pread(device, buffer, fileOffset): bytes read. */
    public long read(long fileOffset, MemorySegment buffer) {
        return live("pread").read(fileOffset, buffer);
    }

    /** pwrite(device, buffer, fileOffset): bytes written. */
    public long write(long fileOffset, MemorySegment buffer) {
        return live("pwrite").write(fileOffset, buffer);
    }

    /** mmap(length, PROT_READ|PROT_WRITE, MAP_SHARED, device, fileOffset). */
    public RegionMapping mmap(long fileOffset, long length) {
        return live("mmap").mmap(fileOffset, length);
    }

    /** VFIO_DEVICE_GET_IRQ_INFO. */
    public IrqInfo getIrqInfo(int index) {
        return live("VFIO_DEVICE_GET_IRQ_INFO").getIrqInfo(index);
    }

    /** VFIO_DEVICE_SET_IRQS. */
    public void setIrqs(IrqSet set) {
        live("VFIO_DEVICE_SET_IRQS").setIrqs(set);
    }

    /** VFIO_DEVICE_RESET. */
    public void reset() {
        live("VFIO_DEVICE_RESET").reset();
    }

    /**
     * VFIO_DEVICE_QUERY_GFX_PLANE: {@code planeInfo} is the struct in caller memory
     * ({@link org.jvmm.vfio.uapi.GfxPlaneInfo}), read for its in-fields and written back.
     */
    public void queryGfxPlane(MemorySegment planeInfo) {
        live("VFIO_DEVICE_QUERY_GFX_PLANE").queryGfxPlane(planeInfo);
    }

    /** VFIO_DEVICE_GET_GFX_DMABUF: a new dma-buf fd (a read-only view) for {@code dmabufId}. */
    public GfxDmabuf getGfxDmabuf(int dmabufId) {
        return live("VFIO_DEVICE_GET_GFX_DMABUF").getGfxDmabuf(dmabufId);
    }

    private VfioDeviceOps live(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "device " + ops.name() + " fd is closed");
        }
        return ops;
    }

    public boolean isClosed() {
        return closed;
    }

    /** close(2): the last close of the device releases it (interrupts torn down). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("VFIO device " + ops.name() + " closed twice");
            }
            closed = true;
        }
        try {
            ops.release();
        } finally {
            group.deviceClosed(this);
        }
    }

    @Override
    public String toString() {
        return "VfioDevice[" + ops.name() + (closed ? ", closed" : "") + "]";
    }
}
