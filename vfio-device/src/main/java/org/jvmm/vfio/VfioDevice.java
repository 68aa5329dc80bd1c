package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommufd.Iommufd;
import org.jvmm.iommufd.IommufdDevice;
import org.jvmm.iommufd.IommufdStructs.AttachPt;
import org.jvmm.iommufd.IommufdStructs.BindIommufd;
import org.jvmm.iommufd.IommufdStructs.DetachPt;
import org.jvmm.iommufd.IommufdUapi;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.pci.host.HostPciPlatform;

/**
 * A VFIO device file (struct vfio_device_file): either from VFIO_GROUP_GET_DEVICE_FD (the legacy
 * group path, usable at once) or from opening the device's cdev /dev/vfio/devices/vfioN
 * ({@link #openCdev}), which is usable only after VFIO_DEVICE_BIND_IOMMUFD (every other call is
 * EINVAL before). Methods mirror the device ioctls and the read/write/mmap file operations one to
 * one; the bus driver (vfio-pci) does the work and fails with the kernel's errno.
 *
 * <p>Legacy and iommufd use exclude each other per IOMMU group (drivers/vfio/group.c,
 * device_cdev.c): binding a cdev while the group file is open is EBUSY, opening the group file
 * while a cdev of the group is bound is EBUSY; BIND_IOMMUFD on a group-path file is EINVAL; the
 * cdev-only ATTACH/DETACH_IOMMUFD_PT on a group-path file reach the driver, which answers ENOTTY;
 * a device can be bound through one cdev file at a time (EINVAL).
 *
 * <p>In {@link PasidApi#SEED} mode the file also offers seed 001's BIND_TASK/UNBIND_TASK
 * ({@link SeedSvm}) and GET_INFO reports FLAGS_SVM for capable devices.
 *
 * <p>Thread-safe (the driver serialises; bind/attach hold the platform lock); one owner closes
 * it, closing twice throws.
 */
public final class VfioDevice implements VfioDeviceFile {
    private final VfioGroup group;
    private final Vfio vfio;
    private final PciAddress address;
    private final VfioDeviceOps ops;
    private final HostPciFunction function;
    private volatile boolean accessGranted;
    private IommufdDevice idev;
    private volatile boolean closed;

    VfioDevice(VfioGroup group, PciAddress address, VfioDeviceOps ops) {
        this.group = group;
        this.vfio = group.vfio();
        this.address = address;
        this.ops = ops;
        this.function = address == null ? null : group.platform().function("VFIO_GROUP_GET_DEVICE_FD", address);
        this.accessGranted = true;
    }

    private VfioDevice(Vfio vfio, HostPciFunction function) {
        this.group = null;
        this.vfio = vfio;
        this.address = function.address();
        this.ops = (VfioDeviceOps) function.driverData();
        this.function = function;
    }

    /**
     * open("/dev/vfio/devices/vfioN") for the function at {@code address}: ENOENT when it is not
     * bound to vfio-pci (no cdev exists). The file is usable after {@link #bindIommufd}.
     */
    public static VfioDevice openCdev(Vfio vfio, PciAddress address) {
        String op = "open /dev/vfio/devices for " + address;
        HostPciPlatform platform = vfio.platform();
        synchronized (platform.lock()) {
            HostPciFunction fn = null;
            for (HostPciFunction f : platform.functions()) {
                if (f.address().equals(address)) {
                    fn = f;
                }
            }
            if (fn == null || !HostPciPlatform.VFIO_PCI.equals(fn.driverName())) {
                throw new ErrnoException(op, Errno.ENOENT, address + (fn == null ? " does not exist" : " is not bound to vfio-pci"));
            }
            return new VfioDevice(vfio, fn);
        }
    }

    /** The PCI function behind the fd; null for a mediated device (named by its UUID). */
    public PciAddress address() {
        return address;
    }

    public String name() {
        return ops.name();
    }

    /** True for a file opened through the device cdev. */
    public boolean isCdev() {
        return group == null;
    }

    // ---- iommufd (cdev only) ----

    /**
     * VFIO_DEVICE_BIND_IOMMUFD: argsz below 16, flags, or a negative iommufd EINVAL; a group-path
     * file EINVAL; the group file open EBUSY; bound already (or bound through another cdev file)
     * EINVAL; the iommufd's own refusals (EPERM for a group that is not viable). Returns the
     * struct with out_devid.
     */
    public BindIommufd bindIommufd(Iommufd iommufd, BindIommufd arg) {
        String op = "VFIO_DEVICE_BIND_IOMMUFD";
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "device " + ops.name() + " fd is closed");
        }
        if (Integer.compareUnsigned(arg.argsz(), BindIommufd.SIZE) < 0 || arg.flags() != 0 || arg.iommufd() < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + ", flags 0x"
                    + Integer.toHexString(arg.flags()) + ", iommufd " + arg.iommufd() + ": argsz below 16, flags, or a negative fd");
        }
        if (group != null) {
            throw new ErrnoException(op, Errno.EINVAL, "the file came from VFIO_GROUP_GET_DEVICE_FD; only a device cdev binds to an iommufd");
        }
        HostPciPlatform platform = vfio.platform();
        synchronized (platform.lock()) {
            int g = function.iommuGroup().id();
            vfio.blockGroup(op, g);
            try {
                if (accessGranted) {
                    throw new ErrnoException(op, Errno.EINVAL, "this file is bound already");
                }
                if (!vfio.claimCdevOpen(address)) {
                    throw new ErrnoException(op, Errno.EINVAL, address + " is open through another device cdev file");
                }
                try {
                    idev = iommufd.bind(op, function);
                } catch (ErrnoException e) {
                    vfio.releaseCdevOpen(address);
                    throw e;
                }
            } catch (ErrnoException e) {
                vfio.unblockGroup(g);
                throw e;
            }
            ops.open();
            accessGranted = true;
            return new BindIommufd(arg.argsz(), arg.flags(), arg.iommufd(), idev.id());
        }
    }

    /** VFIO_DEVICE_BIND_IOMMUFD with the usual struct: the dev_id. */
    public int bindIommufd(Iommufd iommufd) {
        return bindIommufd(iommufd, new BindIommufd(BindIommufd.SIZE, 0, 3, 0)).outDevid();
    }

    /**
     * VFIO_DEVICE_ATTACH_IOMMUFD_PT (device_cdev.c): argsz below 12 EINVAL; a flag other than
     * ATTACH_PASID EINVAL; with it, argsz below 16 EINVAL and PASID 0 EINVAL; then the iommufd's
     * attach or replace. Returns the struct with pt_id the HWPT attached.
     */
    public AttachPt attachIommufdPt(AttachPt arg) {
        String op = "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
        IommufdDevice d = cdevLive(op);
        if (Integer.compareUnsigned(arg.argsz(), AttachPt.MINSZ) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + " is below 12");
        }
        if ((arg.flags() & ~IommufdUapi.VFIO_DEVICE_ATTACH_PASID) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, "flags 0x" + Integer.toHexString(arg.flags()) + " unknown");
        }
        boolean pasid = (arg.flags() & IommufdUapi.VFIO_DEVICE_ATTACH_PASID) != 0;
        if (pasid && Integer.compareUnsigned(arg.argsz(), AttachPt.SIZE) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + " is below 16 with ATTACH_PASID");
        }
        if (pasid && arg.pasid() == IommufdUapi.IOMMU_NO_PASID) {
            throw new ErrnoException(op, Errno.EINVAL, "PASID 0 means no PASID and cannot be attached as one");
        }
        int hwpt = d.attach(pasid ? arg.pasid() : IommufdUapi.IOMMU_NO_PASID, arg.ptId());
        return new AttachPt(arg.argsz(), arg.flags(), hwpt, arg.pasid());
    }

    /** VFIO_DEVICE_ATTACH_IOMMUFD_PT of the RID: the HWPT ID attached. */
    public int attachIommufdPt(int ptId) {
        return attachIommufdPt(AttachPt.of(ptId)).ptId();
    }

    /**
     * VFIO_DEVICE_DETACH_IOMMUFD_PT: argsz below 8 EINVAL; a flag other than DETACH_PASID EINVAL;
     * with it, argsz below 12 EINVAL. Detaching what is not attached succeeds and does nothing.
     */
    public void detachIommufdPt(DetachPt arg) {
        String op = "VFIO_DEVICE_DETACH_IOMMUFD_PT";
        IommufdDevice d = cdevLive(op);
        if (Integer.compareUnsigned(arg.argsz(), DetachPt.MINSZ) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + " is below 8");
        }
        if ((arg.flags() & ~IommufdUapi.VFIO_DEVICE_DETACH_PASID) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, "flags 0x" + Integer.toHexString(arg.flags()) + " unknown");
        }
        boolean pasid = (arg.flags() & IommufdUapi.VFIO_DEVICE_DETACH_PASID) != 0;
        if (pasid && Integer.compareUnsigned(arg.argsz(), DetachPt.SIZE) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + " is below 12 with DETACH_PASID");
        }
        if (pasid && arg.pasid() == IommufdUapi.IOMMU_NO_PASID) {
            return; // no such PASID attachment: nothing to do
        }
        d.detach(pasid ? arg.pasid() : IommufdUapi.IOMMU_NO_PASID);
    }

    /** The iommufd device this cdev file is bound as, or null. */
    public IommufdDevice iommufdDevice() {
        return idev;
    }

    private IommufdDevice cdevLive(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "device " + ops.name() + " fd is closed");
        }
        if (!accessGranted) {
            throw new ErrnoException(op, Errno.EINVAL, "device " + ops.name() + ": bind the cdev to an iommufd first");
        }
        if (group != null) {
            // not a cdev-only ioctl for this file: vfio_pci_core_ioctl has no such command
            throw new ErrnoException(op, Errno.ENOTTY, "device " + ops.name() + " was opened through its group");
        }
        return idev;
    }

    // ---- seed 001 ----

    /** Seed 001's VFIO_DEVICE_BIND_TASK ({@link PasidApi#SEED} mode only, ENOTTY otherwise): the struct with the PASID. */
    public VfioDeviceSvm bindTask(VfioDeviceSvm arg) {
        String op = "VFIO_DEVICE_BIND_TASK";
        live(op);
        if (vfio.pasidApi() != PasidApi.SEED) {
            throw new ErrnoException(op, Errno.ENOTTY, "the host offers the mainline PASID API (iommufd); BIND_TASK is seed 001's");
        }
        return vfio.seedSvm().bind(function, arg);
    }

    /** Seed 001's VFIO_DEVICE_UNBIND_TASK ({@link PasidApi#SEED} mode only, ENOTTY otherwise). */
    public void unbindTask(VfioDeviceSvm arg) {
        String op = "VFIO_DEVICE_UNBIND_TASK";
        live(op);
        if (vfio.pasidApi() != PasidApi.SEED) {
            throw new ErrnoException(op, Errno.ENOTTY, "the host offers the mainline PASID API (iommufd); UNBIND_TASK is seed 001's");
        }
        vfio.seedSvm().unbind(function, arg);
    }

    /**
     * Seed 001's virtual-SVM form of VFIO_DEVICE_BIND_TASK (Yi Liu's {@code struct vfio_device_svm}
     * with {@code data[]}; {@link SeedVsvm}): bind the guest's PASID table, pass an invalidation
     * down, or unbind. {@link PasidApi#SEED} mode only, ENOTTY otherwise.
     */
    public void svmPassdown(SeedVsvm.Svm arg, MemorySegment data) {
        String op = "VFIO_DEVICE_BIND_TASK (vSVM)";
        live(op);
        if (vfio.pasidApi() != PasidApi.SEED) {
            throw new ErrnoException(op, Errno.ENOTTY, "the host offers the mainline PASID API (iommufd); the passdown is seed 001's");
        }
        vfio.seedVsvm().passdown(function, arg, data);
    }

    /** Where the faults of PASIDs translated through a passed-down table go (see {@link SeedVsvm}); null for none. */
    public void svmFaultHandler(org.jvmm.iommu.IopfHandler handler) {
        live("svm fault handler");
        vfio.seedVsvm().faultHandler(function, handler);
    }

    // ---- the device ioctls and file operations ----

    /** VFIO_DEVICE_GET_INFO (with seed 001's FLAGS_SVM in seed mode for a capable device). */
    public DeviceInfo getInfo() {
        DeviceInfo info = live("VFIO_DEVICE_GET_INFO").getInfo();
        if (vfio.pasidApi() == PasidApi.SEED && SeedSvm.capable(function)) {
            return new DeviceInfo(info.flags() | SeedSvm.VFIO_DEVICE_FLAGS_SVM, info.numRegions(), info.numIrqs());
        }
        return info;
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

    /**
     * VFIO_DEVICE_FEATURE on a struct vfio_device_feature in caller memory
     * ({@link org.jvmm.vfio.uapi.DeviceFeature}): the header checks and the core's features as
     * {@link VfioDeviceFeatures} describes, other features by the driver. Returns the migration
     * data file a MIG_DEVICE_STATE SET opened (its number is in data_fd), else null.
     */
    public MigrationFile feature(MemorySegment arg) {
        return VfioDeviceFeatures.ioctl(live("VFIO_DEVICE_FEATURE"), arg, vfio.platform().memory());
    }

    private VfioDeviceOps live(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "device " + ops.name() + " fd is closed");
        }
        if (!accessGranted) {
            throw new ErrnoException(op, Errno.EINVAL, "device " + ops.name() + ": bind the cdev to an iommufd first");
        }
        return ops;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * close(2): the last close of the device releases it (interrupts torn down); a bound cdev
     * unbinds from its iommufd (every attachment goes) and unblocks its group; seed bonds left
     * behind are removed.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("VFIO device " + ops.name() + " closed twice");
            }
            closed = true;
        }
        if (function != null) {
            vfio.seedSvm().deviceClosed(function);
        }
        if (group != null) {
            try {
                ops.release();
            } finally {
                group.deviceClosed(this);
            }
            return;
        }
        if (accessGranted) {
            synchronized (vfio.platform().lock()) {
                try {
                    ops.release();
                } finally {
                    idev.unbind();
                    vfio.unblockGroup(function.iommuGroup().id());
                    vfio.releaseCdevOpen(address);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "VfioDevice[" + ops.name() + (group == null ? ", cdev" : "") + (closed ? ", closed" : "") + "]";
    }
}
