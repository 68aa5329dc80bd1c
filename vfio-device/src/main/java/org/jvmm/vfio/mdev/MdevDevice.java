package org.jvmm.vfio.mdev;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.UUID;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDeviceOps;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaUnmapListener;
import org.jvmm.vfio.iommu.IommuBackend;
import org.jvmm.vfio.iommu.Type1Iommu;

/**
 * One mediated device (struct mdev_device) and the VFIO device it is: named by the lowercase
 * form of its UUID, alone in an emulated IOMMU group, its fd operations those of the vendor's
 * {@link MdevDeviceOps}. The core counts open fds: the first open calls the vendor's
 * open_device and, when the vendor has a dma_unmap callback and the container runs TYPE1,
 * registers that callback in the container; the last close undoes both.
 *
 * <p>Vendor drivers reach guest memory only through {@link #pinPages}, {@link #unpinPages} and
 * {@link #dmaRw} (vfio_pin_pages, vfio_unpin_pages, vfio_dma_rw), which check the device side of
 * and pass on to the container's IOMMU.
 *
 * <p>Thread rules: open/close state is guarded by this object's monitor, which a waiting removal
 * also waits on; vendor callbacks run without it.
 */
public final class MdevDevice {
    enum State { CREATING, ACTIVE, REMOVING, GONE }

    private final MdevBus bus;
    private final MdevParent parent;
    private final MdevType type;
    private final UUID uuid;
    private final String name;
    private final VfioSide vfioSide = new VfioSide();
    /** Guarded by the bus lock. */
    State state = State.CREATING;
    /** Guarded by the bus lock: the sysfs device exists (/sys/bus/mdev/devices/UUID). */
    boolean added;
    /** Guarded by the bus lock: the remove attribute was removed by its first writer. */
    boolean removeFileGone;
    private MdevDeviceOps ops;
    private IommuGroup group;
    private int openCount;
    private IommuBackend backend;
    private AutoCloseable dmaRegistration;
    private boolean unregistering;
    private int requests;
    /** The group's KVM when the first fd was opened (device->kvm), or null. */
    private volatile Object kvm;

    MdevDevice(MdevBus bus, MdevParent parent, MdevType type, UUID uuid) {
        this.bus = bus;
        this.parent = parent;
        this.type = type;
        this.uuid = uuid;
        this.name = uuid.toString(); // lowercase 8-4-4-4-12
    }

    public UUID uuid() {
        return uuid;
    }

    /** The device name: the UUID in lowercase, what GET_DEVICE_FD takes. */
    public String name() {
        return name;
    }

    public MdevParent parent() {
        return parent;
    }

    public MdevType type() {
        return type;
    }

    /** The number of the mdev's own IOMMU group (/dev/vfio/N); -1 before the VFIO device is registered. */
    public int iommuGroupNumber() {
        IommuGroup g = group;
        return g == null ? -1 : g.id();
    }

    /**
     * The VM the VMM associated with the mdev's group through the KVM-VFIO device before the first
     * open (vfio_file_set_kvm, then device->kvm at open), or null. A vendor that needs KVM
     * checks it in open_device and refuses with its own errno.
     */
    public Object kvm() {
        return kvm;
    }

    /** Open device fds now. */
    public synchronized int openCount() {
        return openCount;
    }

    /** How many times a waiting removal called the vendor's request callback. */
    public synchronized int requestCount() {
        return requests;
    }

    /** The VFIO device operations the emulated group hands out. */
    VfioDeviceOps vfioOps() {
        return vfioSide;
    }

    void setVendor(MdevDeviceOps ops) {
        this.ops = ops;
    }

    MdevDeviceOps vendor() {
        return ops;
    }

    /** The vendor's device (what probe returned), for its own counters; null before probe returned. */
    public MdevDeviceOps vendorDevice() {
        return ops;
    }

    void setGroup(IommuGroup group) {
        this.group = group;
    }

    IommuGroup group() {
        return group;
    }

    // ---- unregistering an open VFIO device waits for its fds ----

    /**
     * Blocks until no fd of the device is open, calling the vendor's request callback (when it
     * has one) with 0, 1, 2 ... once per {@code interval}. An interrupt is noted in the bus log
     * and the wait goes on without being interruptible; the interrupt flag is restored after.
     */
    void awaitClosed(long intervalNanos) {
        synchronized (this) {
            unregistering = true; // vfio_device_put_registration: no new fd from here on
        }
        boolean interrupted = false;
        while (true) {
            int count;
            synchronized (this) {
                if (openCount == 0) {
                    break;
                }
                count = requests;
            }
            if (ops.hasRequest()) {
                synchronized (this) {
                    requests++;
                }
                ops.request(count);
            }
            long deadline = System.nanoTime() + intervalNanos;
            synchronized (this) {
                long left;
                while (openCount > 0 && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        if (!interrupted) {
                            interrupted = true;
                            bus.log("device " + name + " is currently in use, remover blocked until it is released");
                        }
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- what vendor drivers call (vfio_pin_pages, vfio_unpin_pages, vfio_dma_rw) ----

    /**
     * vfio_pin_pages: EINVAL for npage 0 or a closed device, EINVAL when the vendor has no
     * dma_unmap callback, E2BIG past 512 pages, ENOTTY when the container's IOMMU cannot pin
     * (sPAPR TCE); then TYPE1's own checks and per-page pinning.
     */
    public List<HostAddress> pinPages(Iova iova, int npage, IommuPermission prot) {
        String op = "vfio_pin_pages";
        Type1Iommu t;
        synchronized (this) {
            if (npage <= 0 || openCount == 0) {
                throw new ErrnoException(op, Errno.EINVAL, name + ": npage=" + npage
                        + (openCount == 0 ? ", device not open" : ""));
            }
            if (ops.dmaUnmap() == null) {
                throw new ErrnoException(op, Errno.EINVAL, name + ": the vendor driver has no dma_unmap callback");
            }
            if (npage > Type1Iommu.PIN_PAGES_MAX) {
                throw new ErrnoException(op, Errno.E2BIG, name + ": npage=" + npage + " > " + Type1Iommu.PIN_PAGES_MAX);
            }
            t = type1(op);
        }
        return t.pinPages(iova, npage, prot);
    }

    /**
     * vfio_unpin_pages: one pin fewer on each page; a device without dma_unmap or a non-TYPE1
     * container is a kernel warning (logged) and nothing happens.
     */
    public void unpinPages(Iova iova, int npage) {
        Type1Iommu t;
        synchronized (this) {
            if (openCount == 0 || ops.dmaUnmap() == null || npage <= 0) {
                bus.log("WARN vfio_unpin_pages " + name + ": device not open, no dma_unmap or npage " + npage);
                return;
            }
            if (!(backend instanceof Type1Iommu tt)) {
                bus.log("WARN vfio_unpin_pages " + name + ": the container's IOMMU cannot unpin");
                return;
            }
            t = tt;
        }
        t.unpinPages(iova, npage);
    }

    /**
     * vfio_dma_rw: copies between {@code buffer} and the memory behind IOVAs without pinning.
     * EINVAL for an empty buffer or a closed device, ENOTTY when the IOMMU cannot do it, then
     * TYPE1's checks.
     */
    public void dmaRw(Iova iova, MemorySegment buffer, boolean write) {
        String op = "vfio_dma_rw";
        Type1Iommu t;
        synchronized (this) {
            if (buffer == null || buffer.byteSize() == 0 || openCount == 0) {
                throw new ErrnoException(op, Errno.EINVAL, name + ": iova=" + iova + ", empty buffer or device not open");
            }
            t = type1(op);
        }
        t.dmaRw(iova, buffer, write);
    }

    /**
     * The host's process memory (what a vendor allocates device memory from, so that a VMM can
     * map it into a guest as it maps its own RAM).
     */
    public org.jvmm.host.memory.HostMemoryRegistry hostMemory() {
        return bus.vfio().platform().memory();
    }

    /**
     * kmap of a page {@link #pinPages} returned: the 4 KiB of process memory at {@code page}, for
     * the vendor to read or write while it holds the pin. EFAULT when nothing is mapped there.
     */
    public MemorySegment pageMemory(HostAddress page) {
        return bus.vfio().platform().memory().resolve("kmap", page, 4096); // a constant: no message built on the DMA path
    }

    /** The backend of the container the device was opened in (it cannot change while an fd is open). */
    private Type1Iommu type1(String op) {
        if (!(backend instanceof Type1Iommu t)) {
            throw new ErrnoException(op, Errno.ENOTTY, name + ": the container's IOMMU (" + backend + ") cannot pin or copy");
        }
        return t;
    }

    @Override
    public String toString() {
        return "MdevDevice[" + name + ", " + parent.name() + "/" + parent.typeDirName(type) + "]";
    }

    /** The VFIO device fd's operations: fd counting around the vendor's ops. */
    private final class VfioSide implements VfioDeviceOps {
        @Override
        public String name() {
            return name;
        }

        @Override
        public void open() {
            throw new IllegalStateException("an mdev is opened through its group");
        }

        @Override
        public void open(VfioGroup g) {
            VfioContainer c = g.container();
            IommuBackend b = c.backend();
            synchronized (MdevDevice.this) {
                if (unregistering) {
                    throw new ErrnoException("VFIO_GROUP_GET_DEVICE_FD", Errno.ENODEV, name + " is being removed");
                }
                if (openCount == 0) {
                    kvm = g.kvm();
                    try {
                        ops.openDevice();
                    } catch (RuntimeException e) {
                        kvm = null;
                        throw e;
                    }
                    DmaUnmapListener l = ops.dmaUnmap();
                    if (l != null && b instanceof Type1Iommu t) {
                        dmaRegistration = t.registerDevice(l);
                    }
                    backend = b;
                }
                openCount++;
            }
        }

        @Override
        public void release() {
            synchronized (MdevDevice.this) {
                if (openCount == 1) {
                    try {
                        ops.closeDevice();
                    } finally {
                        if (dmaRegistration != null) {
                            try {
                                dmaRegistration.close();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            dmaRegistration = null;
                        }
                        backend = null;
                        kvm = null;
                    }
                }
                openCount--;
                MdevDevice.this.notifyAll();
            }
        }

        @Override
        public DeviceInfo getInfo() {
            return ops.getInfo();
        }

        @Override
        public RegionInfo getRegionInfo(int index) {
            return ops.getRegionInfo(index);
        }

        @Override
        public long read(long fileOffset, MemorySegment buffer) {
            return ops.read(fileOffset, buffer);
        }

        @Override
        public long write(long fileOffset, MemorySegment buffer) {
            return ops.write(fileOffset, buffer);
        }

        @Override
        public RegionMapping mmap(long fileOffset, long length) {
            return ops.mmap(fileOffset, length);
        }

        @Override
        public IrqInfo getIrqInfo(int index) {
            return ops.getIrqInfo(index);
        }

        @Override
        public void setIrqs(IrqSet set) {
            ops.setIrqs(set);
        }

        @Override
        public void reset() {
            ops.reset();
        }

        @Override
        public void queryGfxPlane(MemorySegment planeInfo) {
            ops.queryGfxPlane(planeInfo);
        }

        @Override
        public org.jvmm.vfio.GfxDmabuf getGfxDmabuf(int dmabufId) {
            return ops.getGfxDmabuf(dmabufId);
        }

        @Override
        public org.jvmm.vfio.VfioMigrationOps migrationOps() {
            return ops.migrationOps();
        }

        @Override
        public org.jvmm.vfio.VfioLogOps logOps() {
            return ops.logOps();
        }
    }
}
