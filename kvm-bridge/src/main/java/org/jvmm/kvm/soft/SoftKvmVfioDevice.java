package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.kvm.KvmDevice;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.soft.spapr.KvmTceTable;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.jvmm.pci.host.spapr.TceTable;
import org.jvmm.vfio.VfioGroup;

/**
 * The soft VM's KVM-VFIO device (Linux virt/kvm/vfio.c, rules 31-33). Group KVM_DEV_VFIO_FILE:
 * <ul>
 * <li>FILE_ADD / FILE_DEL with an int32 fd: EBADF for an fd that is not open, EINVAL for a file
 * that is not a VFIO group, EEXIST when added twice, ENOENT to delete one never added.</li>
 * <li>GROUP_SET_SPAPR_TCE (mainline) {int32 groupfd; int32 tablefd}: ENOENT when the group was
 * not added, EBADF for a closed table fd, EINVAL when the table is not this VM's or none of the
 * group's hardware tables is compatible (IOMMU page no larger, same bus start, window no smaller).</li>
 * <li>GROUP_SET_SPAPR_TCE_LIOBN (the per-window LIOBN link, never merged; seed 000) {u32 argsz; s32 fd; u32 liobn; u8 pad[4]; u64 start_addr},
 * once per DMA window: EINVAL for argsz below 24, EBADF for a bad fd, ENOENT for a group not added,
 * EINVAL for an LIOBN without a KVM table or no hardware window starting at start_addr.</li>
 * </ul>
 * Deleting a group, or closing the device, unlinks it from every TCE table.
 *
 * <p>Thread-safe (its monitor).
 */
final class SoftKvmVfioDevice implements KvmDevice {
    private final SoftVm vm;
    private final List<VfioGroup> groups = new ArrayList<>();
    private boolean closed;

    SoftKvmVfioDevice(SoftVm vm) {
        this.vm = vm;
    }

    @Override
    public KvmDeviceType type() {
        return KvmDeviceType.VFIO;
    }

    @Override
    public synchronized void setAttribute(int group, long attribute, MemorySegment value) {
        String op = "KVM_SET_DEVICE_ATTR";
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "KVM-VFIO device fd is closed");
        }
        if (group != KvmVfioDevice.GROUP_FILE) {
            throw new ErrnoException(op, Errno.ENXIO, "KVM-VFIO: no attribute group " + group);
        }
        if (attribute == KvmVfioDevice.FILE_ADD) {
            add(value.get(ValueLayout.JAVA_INT, 0));
        } else if (attribute == KvmVfioDevice.FILE_DEL) {
            del(value.get(ValueLayout.JAVA_INT, 0));
        } else if (attribute == KvmVfioDevice.GROUP_SET_SPAPR_TCE) {
            setSpaprTce(value.get(ValueLayout.JAVA_INT, 0), value.get(ValueLayout.JAVA_INT, 4));
        } else if (attribute == KvmVfioDevice.GROUP_SET_SPAPR_TCE_LIOBN) {
            setSpaprTceLiobn(value);
        } else {
            throw new ErrnoException(op, Errno.ENXIO, "KVM-VFIO: no attribute " + attribute + " in group " + group);
        }
    }

    private VfioGroup vfioFile(String op, int fd) {
        Object f = vm.files().get(op, fd);
        if (!(f instanceof VfioGroup g)) {
            throw new ErrnoException(op, Errno.EINVAL, "fd " + fd + " is not a VFIO group file (" + f.getClass().getSimpleName() + ")");
        }
        return g;
    }

    private void add(int fd) {
        String op = "KVM_DEV_VFIO_FILE_ADD";
        VfioGroup g = vfioFile(op, fd);
        if (groups.contains(g)) {
            throw new ErrnoException(op, Errno.EEXIST, "fd " + fd + ": group " + g.id() + " already added");
        }
        groups.add(g);
        g.setKvm(vm); // kvm_vfio_file_add: vfio_file_set_kvm
    }

    private void del(int fd) {
        String op = "KVM_DEV_VFIO_FILE_DEL";
        VfioGroup g = vfioFile(op, fd);
        if (!groups.remove(g)) {
            throw new ErrnoException(op, Errno.ENOENT, "fd " + fd + ": group " + g.id() + " was never added");
        }
        unlinkEverywhere(g);
        g.setKvm(null);
    }

    private void unlinkEverywhere(VfioGroup g) {
        for (KvmTceTable t : vm.tceTables()) {
            t.unlinkGroup(g);
        }
    }

    private VfioGroup addedGroup(String op, int fd) {
        Object f = vm.files().get(op, fd);
        for (VfioGroup g : groups) {
            if (g == f) {
                return g;
            }
        }
        throw new ErrnoException(op, Errno.ENOENT, "fd " + fd + " is not a group added to the KVM-VFIO device");
    }

    private static PartitionableEndpoint pe(String op, VfioGroup g) {
        if (g.iommuGroup().dmaDomain() instanceof PartitionableEndpoint pe) {
            return pe;
        }
        throw new ErrnoException(op, Errno.EINVAL, "group " + g.id() + " has no sPAPR DMA window set (not in an sPAPR container)");
    }

    /** kvm_spapr_tce_attach_iommu_group (mainline). */
    private void setSpaprTce(int groupFd, int tableFd) {
        String op = "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE";
        VfioGroup g = addedGroup(op, groupFd);
        Object tf = vm.files().get(op, tableFd);
        if (!(tf instanceof KvmTceTable stt) || vm.table(stt.liobn()) != stt) {
            throw new ErrnoException(op, Errno.EINVAL, "tablefd " + tableFd + " is not a TCE table of this VM");
        }
        PartitionableEndpoint pe = pe(op, g);
        for (int i = 0; i < 2; i++) {
            TceTable hw = pe.window(i);
            if (hw != null && hw.pageShift() <= stt.pageShift()
                    && hw.offset() << hw.pageShift() == stt.offset() << stt.pageShift()
                    && Long.compareUnsigned(hw.windowSize(), stt.size() << stt.pageShift()) >= 0) {
                stt.link(hw, pe.phb().preregistered(), g);
                return;
            }
        }
        throw new ErrnoException(op, Errno.EINVAL, "group " + g.id() + ": no hardware table matches " + stt);
    }

    /** The per-window LIOBN link's KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE_LIOBN (never merged), once per DMA window. */
    private void setSpaprTceLiobn(MemorySegment value) {
        String op = "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE_LIOBN";
        int argsz = value.get(ValueLayout.JAVA_INT, 0);
        if (Integer.compareUnsigned(argsz, KvmVfioDevice.SPAPR_TCE_LIOBN_SIZE) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + argsz + " is below " + KvmVfioDevice.SPAPR_TCE_LIOBN_SIZE);
        }
        int fd = value.get(ValueLayout.JAVA_INT, 4);
        long liobn = value.get(ValueLayout.JAVA_INT, 8) & 0xffff_ffffL;
        long start = value.get(ValueLayout.JAVA_LONG_UNALIGNED, 16);
        vm.files().get(op, fd); // EBADF
        VfioGroup g = addedGroup(op, fd);
        KvmTceTable stt = vm.table(liobn);
        if (stt == null) {
            throw new ErrnoException(op, Errno.EINVAL, "liobn 0x" + Long.toHexString(liobn) + " has no KVM TCE table");
        }
        PartitionableEndpoint pe = pe(op, g);
        for (int i = 0; i < 2; i++) {
            TceTable hw = pe.window(i);
            if (hw != null && hw.busStart().value() == start) {
                if (hw.pageShift() > stt.pageShift()) {
                    throw new ErrnoException(op, Errno.EINVAL, "window at 0x" + Long.toHexString(start) + " has IOMMU page shift "
                            + hw.pageShift() + ", larger than the LIOBN's " + stt.pageShift());
                }
                stt.link(hw, pe.phb().preregistered(), g);
                return;
            }
        }
        throw new ErrnoException(op, Errno.EINVAL, "group " + g.id() + ": no DMA window starts at 0x" + Long.toHexString(start));
    }

    @Override
    public void getAttribute(int group, long attribute, MemorySegment value) {
        throw new ErrnoException("KVM_GET_DEVICE_ATTR", Errno.ENXIO, "KVM-VFIO attributes are write-only");
    }

    @Override
    public boolean hasAttribute(int group, long attribute) {
        return group == KvmVfioDevice.GROUP_FILE && attribute >= KvmVfioDevice.FILE_ADD
                && attribute <= KvmVfioDevice.GROUP_SET_SPAPR_TCE_LIOBN;
    }

    /** Groups added, in order. */
    synchronized List<VfioGroup> groups() {
        return List.copyOf(groups);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("KVM-VFIO device closed twice");
            }
            closed = true;
            for (VfioGroup g : groups) {
                unlinkEverywhere(g);
                g.setKvm(null);
            }
            groups.clear();
        }
        vm.vfioDeviceClosed(this);
    }
}
