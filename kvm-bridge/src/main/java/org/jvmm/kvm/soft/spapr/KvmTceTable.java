package org.jvmm.kvm.soft.spapr;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmm.kvm.spapr.KvmSpaprTceTable;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.jvmm.pci.host.spapr.PreregisteredMemory;
import org.jvmm.pci.host.spapr.TceTable;

/**
 * A guest-visible TCE table KVM keeps for one LIOBN (struct kvmppc_spapr_tce_table): the TCEs as
 * the guest wrote them (host byte order; the VMM reads the same array, as QEMU mmaps the table's
 * fd) and the hardware tables linked to it through the KVM-VFIO device, which the fast path keeps
 * in step.
 *
 * <p>Thread rules: hypercalls on a table, and link changes, hold its lock ({@link #lock}: one
 * compare-and-set to take, a release store to drop, where a monitor costs an atomic each way);
 * the VMM's reads of the guest view are plain reads. The link list is copy-on-write. Closing its fd (owned by the
 * VMM) removes the table from the VM.
 */
public final class KvmTceTable implements KvmSpaprTceTable {

    /** A hardware table this LIOBN drives, with the pre-registered memory its TCEs are built from. */
    public record Link(TceTable table, PreregisteredMemory preregistered, Object group) {
    }

    private final long liobn;
    private final int pageShift;
    private final long offset;
    private final long size;
    private final long[] guestView;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final Runnable onClose;
    /** 1 while a hypercall or a link change holds the table (BUSY). */
    @SuppressWarnings("unused")
    private volatile int busy;
    private int fd = -1;
    private boolean closed;

    private static final VarHandle BUSY;
    /** Spins before a waiting vCPU starts yielding its core to the holder. */
    private static final int SPINS = 64;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(KvmTceTable.class, "busy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    KvmTceTable(SpaprTceCreate64 args, Runnable onClose) {
        this.liobn = args.liobn();
        this.pageShift = args.pageShift();
        this.offset = args.offset();
        this.size = args.size();
        this.guestView = new long[Math.toIntExact(args.size())];
        this.onClose = onClose;
    }

    @Override
    public long liobn() {
        return liobn;
    }

    @Override
    public int pageShift() {
        return pageShift;
    }

    /** The window's first bus page. */
    @Override
    public long offset() {
        return offset;
    }

    /** Entries. */
    @Override
    public long size() {
        return size;
    }

    /** The anon-inode fd the VMM holds for the table. */
    @Override
    public int fd() {
        return fd;
    }

    void setFd(int fd) {
        this.fd = fd;
    }

    /** The TCE of window entry {@code index} (0 = the window's first page) as the guest wrote it. */
    @Override
    public long get(long index) {
        return guestView[(int) index];
    }

    /** The VMM writing the guest view (QEMU's h_put_tce on an mmapped KVM table). */
    @Override
    public void set(long index, long tce) {
        guestView[(int) index] = tce;
    }

    /**
     * Takes the table's lock (KVM's per-table lock around one TCE hypercall). It is held for one
     * call, which never blocks, so a second vCPU spins, then yields, until the holder drops it.
     * Not reentrant; always paired with {@link #unlock} in a finally.
     */
    void lock() {
        if (!BUSY.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        for (int spins = 0; !BUSY.compareAndSet(this, 0, 1); spins++) {
            if (spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    void unlock() {
        BUSY.setRelease(this, 0);
    }

    public List<Link> links() {
        return List.copyOf(links);
    }

    List<Link> linkList() {
        return links;
    }

    /**
     * Links hardware table {@code hw} of {@code group} (kvm_spapr_tce_attach_iommu_group); linking
     * the same table again is a no-op. The entries the guest already wrote are not replayed, as in KVM.
     */
    public synchronized void link(TceTable hw, PreregisteredMemory preregistered, Object group) {
        for (Link l : links) {
            if (l.table() == hw) {
                return;
            }
        }
        lock(); // not while a hypercall is walking the links
        try {
            links.add(new Link(hw, preregistered, group));
        } finally {
            unlock();
        }
    }

    /** Drops every link of {@code group} (kvm_spapr_tce_release_iommu_group). */
    public synchronized void unlinkGroup(Object group) {
        lock();
        try {
            links.removeIf(l -> l.group() == group);
        } finally {
            unlock();
        }
    }

    /** True once a hardware table is linked: the fast path then drives the device's IOMMU too. */
    @Override
    public boolean linked() {
        return !links.isEmpty();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("KVM TCE table liobn 0x" + Long.toHexString(liobn) + " closed twice");
        }
        closed = true;
        onClose.run();
    }

    @Override
    public String toString() {
        return "KvmTceTable[liobn=0x" + Long.toHexString(liobn) + ", page shift " + pageShift + ", offset 0x"
                + Long.toHexString(offset) + ", size 0x" + Long.toHexString(size) + ", links " + links.size() + "]";
    }
}
