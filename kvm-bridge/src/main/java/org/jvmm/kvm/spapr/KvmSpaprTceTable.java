package org.jvmm.kvm.spapr;

/**
 * A guest-visible TCE table KVM keeps for one LIOBN, as KVM_CREATE_SPAPR_TCE_64 returns it: its
 * window ({@code offset} and {@code size} in IOMMU pages of 2^{@code pageShift} bytes), the fd
 * the KVM-VFIO device links it by, and the TCEs as the guest wrote them (QEMU reads them through
 * the table's mmap). Closing it (its fd) removes the table from the VM.
 */
public interface KvmSpaprTceTable extends AutoCloseable {

    long liobn();

    int pageShift();

    /** The first bus page of the window, in IOMMU pages. */
    long offset();

    /** Entries in the table. */
    long size();

    /** The table's fd (for KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE). */
    int fd();

    /** The TCE of entry {@code index}, as the guest last wrote it. */
    long get(long index);

    /** Writes entry {@code index} from the VMM (H_PUT_TCE handled in user space). */
    void set(long index, long tce);

    /**
     * True once a host IOMMU table is linked to it through the KVM-VFIO device: H_PUT_TCE on the
     * LIOBN then updates the device's IOMMU without leaving the accelerator.
     */
    boolean linked();

    @Override
    void close();
}
