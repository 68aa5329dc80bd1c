package org.jvmm.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.ErrnoException;

/**
 * The KVM-VFIO pseudo device (KVM_DEV_TYPE_VFIO, virt/kvm/vfio.c): tells KVM which VFIO files
 * (group or device fds) the VM uses, so KVM can take part (coherent DMA, sPAPR TCE tables).
 *
 * <p>Kernel answers this wrapper passes on unchanged: a second device per VM is EBUSY (closing
 * this one destroys it, after which a new one may be created); FILE_ADD
 * of an fd that is not open is EBADF, of an open fd that is not a VFIO file EINVAL, of a file
 * already added EEXIST; FILE_DEL of a closed fd is EBADF, of a file never added ENOENT. On a
 * host without VFIO files (no vfio-pci device) only the error answers can be exercised.
 *
 * <p>Owns its {@link KvmDevice}; any thread.
 */
public final class KvmVfioDevice implements AutoCloseable {
    /** KVM_DEV_VFIO_FILE (formerly KVM_DEV_VFIO_GROUP). */
    public static final int GROUP_FILE = 1;
    /** KVM_DEV_VFIO_FILE_ADD (formerly KVM_DEV_VFIO_GROUP_ADD). */
    public static final long FILE_ADD = 1;
    /** KVM_DEV_VFIO_FILE_DEL (formerly KVM_DEV_VFIO_GROUP_DEL). */
    public static final long FILE_DEL = 2;
    /** KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE (powerpc only). */
    public static final long GROUP_SET_SPAPR_TCE = 3;
    /**
     * The per-window LIOBN link, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE_LIOBN, never merged (seed 000). The proposal numbered it 3,
     * the number mainline later gave SET_SPAPR_TCE; beside it here it takes the next free number.
     */
    public static final long GROUP_SET_SPAPR_TCE_LIOBN = 4;
    /** offsetofend(struct kvm_vfio_spapr_tce_liobn, start_addr). */
    public static final int SPAPR_TCE_LIOBN_SIZE = 24;

    private final KvmDevice device;

    public KvmVfioDevice(KvmDevice device) {
        if (device.type() != KvmDeviceType.VFIO) {
            throw new IllegalArgumentException("KVM-VFIO device: given a " + device.type().uapiName() + " device");
        }
        this.device = device;
    }

    /** KVM_DEV_VFIO_FILE_ADD of a VFIO group or device file descriptor. */
    public void addFile(int fd) {
        setFile(FILE_ADD, fd);
    }

    /** KVM_DEV_VFIO_FILE_DEL of a file descriptor added before. */
    public void deleteFile(int fd) {
        setFile(FILE_DEL, fd);
    }

    /** KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE: struct kvm_vfio_spapr_tce {groupfd, tablefd}. */
    public void setSpaprTce(int groupFd, int tableFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8, 4);
            value.set(ValueLayout.JAVA_INT, 0, groupFd);
            value.set(ValueLayout.JAVA_INT, 4, tableFd);
            device.setAttribute(GROUP_FILE, GROUP_SET_SPAPR_TCE, value);
        }
    }

    /** The per-window LIOBN link's SET_SPAPR_TCE_LIOBN (never merged; seed 000): struct kvm_vfio_spapr_tce_liobn {argsz, fd, liobn, pad, start_addr}. */
    public void setSpaprTceLiobn(int argsz, int groupFd, long liobn, long startAddr) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(SPAPR_TCE_LIOBN_SIZE, 8);
            value.set(ValueLayout.JAVA_INT, 0, argsz);
            value.set(ValueLayout.JAVA_INT, 4, groupFd);
            value.set(ValueLayout.JAVA_INT, 8, (int) liobn);
            value.set(ValueLayout.JAVA_LONG, 16, startAddr);
            device.setAttribute(GROUP_FILE, GROUP_SET_SPAPR_TCE_LIOBN, value);
        }
    }

    /** The underlying device, for attributes this class does not wrap. */
    public KvmDevice device() {
        return device;
    }

    private void setFile(long attribute, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocateFrom(ValueLayout.JAVA_INT, fd);
            device.setAttribute(GROUP_FILE, attribute, value);
        } catch (ErrnoException e) {
            String op = attribute == FILE_ADD ? "KVM_DEV_VFIO_FILE_ADD" : "KVM_DEV_VFIO_FILE_DEL";
            throw new ErrnoException(op, e.errnoNumber(), "fd=" + fd + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        device.close();
    }
}
