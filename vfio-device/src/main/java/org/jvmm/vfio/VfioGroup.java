package org.jvmm.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.IommuGroup;

/**
 * An open VFIO group, /dev/vfio/N (Linux drivers/vfio/group.c). Exists while a function of IOMMU
 * group N is bound to vfio-pci; opened by one owner at a time (EBUSY otherwise).
 *
 * <p>SET_CONTAINER claims the group's DMA ownership (EPERM when a host driver holds one of its
 * devices: the group is not viable; drivers/iommu/iommu.c iommu_group_claim_dma_owner) and attaches it to the container's IOMMU; while claimed,
 * host drivers cannot bind to its functions. GET_DEVICE_FD needs the container with its IOMMU
 * set. Closing the group (no device fds may remain) leaves the container.
 *
 * <p>Thread rules: every method holds the platform lock.
 */
public final class VfioGroup implements AutoCloseable {
    private final Vfio vfio;
    private final HostPciPlatform platform;
    private final IommuGroup group;
    private final List<VfioDevice> devices = new ArrayList<>();
    private VfioContainer container;
    private volatile Object kvm;
    private boolean closed;

    private VfioGroup(Vfio vfio, IommuGroup group) {
        this.vfio = vfio;
        this.platform = vfio.platform();
        this.group = group;
    }

    /** open("/dev/vfio/N"): ENOENT when no such VFIO group exists, EBUSY when already open. */
    public static VfioGroup open(HostPciPlatform platform, int groupNumber) {
        return open(Vfio.of(platform, "open /dev/vfio/" + groupNumber), groupNumber);
    }

    /** open("/dev/vfio/N") on the host's VFIO core: ENOENT when no such VFIO group exists, EBUSY when already open. */
    public static VfioGroup open(Vfio vfio, int groupNumber) {
        String op = "open /dev/vfio/" + groupNumber;
        HostPciPlatform platform = vfio.platform();
        synchronized (platform.lock()) {
            IommuGroup g = platform.group(groupNumber);
            if (g == null) {
                g = vfio.emulatedGroup(groupNumber);
            }
            if (g == null || !g.hasVfioDevice()) {
                throw new ErrnoException(op, Errno.ENOENT, "no VFIO group " + groupNumber
                        + (g == null ? " (no such IOMMU group)" : " (no device bound to vfio-pci)"));
            }
            if (vfio.openGroup(groupNumber) != null) {
                throw new ErrnoException(op, Errno.EBUSY, "group " + groupNumber + " is already open");
            }
            if (vfio.cdevBoundCount(groupNumber) > 0) {
                // vfio_group_fops_open: a device of the group is bound to an iommufd through its cdev
                throw new ErrnoException(op, Errno.EBUSY, "group " + groupNumber + " has " + vfio.cdevBoundCount(groupNumber)
                        + " device cdev(s) bound to an iommufd");
            }
            VfioGroup vg = new VfioGroup(vfio, g);
            vfio.setOpenGroup(groupNumber, vg);
            return vg;
        }
    }

    /**
     * vfio_file_set_kvm: the KVM-VFIO device's FILE_ADD sets the VM this group's devices will see
     * at their open (FILE_DEL sets null). Opaque here: the host kernel's VFIO does not know KVM's
     * types; a vendor driver that needs the VM (kvmgt, A-18) reads it at open_device.
     */
    public void setKvm(Object kvm) {
        this.kvm = kvm;
    }

    /** The VM set by {@link #setKvm}, or null. */
    public Object kvm() {
        return kvm;
    }

    public int id() {
        return group.id();
    }

    public IommuGroup iommuGroup() {
        return group;
    }

    /** VFIO_GROUP_GET_STATUS: VIABLE and CONTAINER_SET (a group in a container is always viable). */
    public GroupStatus getStatus() {
        synchronized (platform.lock()) {
            ensureOpen("VFIO_GROUP_GET_STATUS");
            int flags = 0;
            if (container != null) {
                flags |= VFIO_GROUP_FLAGS_CONTAINER_SET | VFIO_GROUP_FLAGS_VIABLE;
            } else if (group.isViable()) {
                flags |= VFIO_GROUP_FLAGS_VIABLE;
            }
            return new GroupStatus(flags);
        }
    }

    /**
     * VFIO_GROUP_SET_CONTAINER: EINVAL when already in a container; EBADF for a closed container;
     * EPERM when not viable; the backend's errno when its IOMMU cannot take the group.
     */
    public void setContainer(VfioContainer target) {
        String op = "VFIO_GROUP_SET_CONTAINER";
        synchronized (platform.lock()) {
            ensureOpen(op);
            if (container != null) {
                throw new ErrnoException(op, Errno.EINVAL, "group " + id() + " is already in a container");
            }
            if (target.platform() != platform) {
                throw new ErrnoException(op, Errno.EINVAL, "container belongs to another host");
            }
            if (!group.isViable()) {
                // iommu_group_claim_dma_owner: a host driver holds the group (owner_cnt) -> EPERM
                throw new ErrnoException(op, Errno.EPERM, "group " + id() + " is not viable: " + blockers());
            }
            target.attach(this);
            group.setDmaOwner(this);
            container = target;
        }
    }

    private List<String> blockers() {
        List<String> out = new ArrayList<>();
        for (HostPciFunction f : group.functions()) {
            if (f.driverName() != null && !f.driverName().equals(HostPciPlatform.VFIO_PCI)) {
                out.add(f.address() + " bound to " + f.driverName());
            }
        }
        return out;
    }

    /** VFIO_GROUP_UNSET_CONTAINER: EINVAL without a container, EBUSY while device fds are open. */
    public void unsetContainer() {
        String op = "VFIO_GROUP_UNSET_CONTAINER";
        synchronized (platform.lock()) {
            ensureOpen(op);
            if (container == null) {
                throw new ErrnoException(op, Errno.EINVAL, "group " + id() + " is in no container");
            }
            if (!devices.isEmpty()) {
                throw new ErrnoException(op, Errno.EBUSY, "group " + id() + " has " + devices.size() + " open device fd(s)");
            }
            detach();
        }
    }

    private void detach() {
        container.detach(this);
        group.setDmaOwner(null);
        container = null;
    }

    /**
     * VFIO_GROUP_GET_DEVICE_FD by device name: EINVAL unless the group is in a container whose
     * IOMMU is set; ENODEV when no vfio-pci device of the group has that name.
     */
    public VfioDevice getDeviceFd(String name) {
        String op = "VFIO_GROUP_GET_DEVICE_FD";
        synchronized (platform.lock()) {
            ensureOpen(op);
            if (container == null || !container.hasBackend()) {
                throw new ErrnoException(op, Errno.EINVAL, "\"" + name + "\": group " + id()
                        + (container == null ? " is in no container" : "'s container has no IOMMU set"));
            }
            if (group.isEmulated()) {
                VfioDeviceOps ops = vfio.emulatedDevice(group);
                if (ops == null || !ops.name().equals(name)) {
                    throw new ErrnoException(op, Errno.ENODEV, "\"" + name + "\" is no device of group " + id());
                }
                ops.open(this);
                VfioDevice d = new VfioDevice(this, null, ops);
                devices.add(d);
                return d;
            }
            HostPciFunction fn = null;
            for (HostPciFunction f : group.functions()) {
                if (f.address().toString().equals(name) && HostPciPlatform.VFIO_PCI.equals(f.driverName())) {
                    fn = f;
                }
            }
            if (fn == null) {
                throw new ErrnoException(op, Errno.ENODEV, "\"" + name + "\" is no vfio-pci device of group " + id());
            }
            VfioDeviceOps ops = (VfioDeviceOps) fn.driverData();
            ops.open(this);
            VfioDevice d = new VfioDevice(this, fn.address(), ops);
            devices.add(d);
            return d;
        }
    }

    /** Open device fds of the given function (vfio-pci refuses to unbind while there are any). */
    public int openDeviceCount(PciAddress address) {
        synchronized (platform.lock()) {
            return (int) devices.stream().filter(d -> address.equals(d.address())).count();
        }
    }

    void deviceClosed(VfioDevice d) {
        synchronized (platform.lock()) {
            devices.remove(d);
        }
    }

    HostPciPlatform platform() {
        return platform;
    }

    Vfio vfio() {
        return vfio;
    }

    public VfioContainer container() {
        synchronized (platform.lock()) {
            return container;
        }
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "group " + id() + " fd is closed");
        }
    }

    public boolean isClosed() {
        synchronized (platform.lock()) {
            return closed;
        }
    }

    /** close(2): device fds must be closed first; a group still in a container leaves it. */
    @Override
    public void close() {
        synchronized (platform.lock()) {
            if (closed) {
                throw new IllegalStateException("VFIO group " + id() + " closed twice");
            }
            if (!devices.isEmpty()) {
                throw new IllegalStateException("VFIO group " + id() + " closed with " + devices.size()
                        + " device fd(s) still open; close the devices first");
            }
            if (container != null) {
                detach();
            }
            closed = true;
            vfio.setOpenGroup(group.id(), null);
        }
    }

    @Override
    public String toString() {
        return "VfioGroup[" + id() + "]";
    }
}
