package org.jvmm.hw.spapr;

import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.kvm.spapr.KvmSpaprTceTable;
import org.jvmm.memory.AddressSpace;
import org.jvmm.iommu.AccessKind;
import org.jvmm.memory.IommuEvent;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.memory.IommuRegion;
import org.jvmm.memory.IommuTlbEntry;
import org.jvmm.memory.IommuTranslator;

/**
 * The guest-visible TCE table of one LIOBN (QEMU hw/ppc/spapr_iommu.c, SpaprTceTable): while
 * enabled it is a window of {@code nbTable} IOMMU pages of 2^{@code pageShift} bytes at bus
 * address {@code busOffset}, and an {@link IommuRegion} placed there in its PHB's DMA address
 * space. A TCE is stored as the guest gave it (address | W | R); {@link #putTce} fires the
 * region's notifiers, MAP when R or W is set and UNMAP otherwise, with the IOVA relative to the
 * window (QEMU's event.entry.iova), which is what keeps a VFIO container in step.
 *
 * <p>When KVM keeps the table ({@link #attachKvm}), the TCEs live in KVM's guest view (QEMU mmaps
 * the table fd): hypercalls KVM handles never reach here, and the VMM reads and writes the same
 * array. The region's translate reads whichever store is current.
 *
 * <p>Thread rules: puts hold this object's monitor and notify with it held (notifiers must not
 * call back in); translate reads lock-free.
 */
public final class SpaprTceTable implements IommuTranslator {
    private final long liobn;
    private final AddressSpace target;
    private int pageShift;
    private long busOffset;
    private long nbTable;
    private volatile long[] table = new long[0];
    private volatile KvmSpaprTceTable kvm;
    private IommuRegion region;

    public SpaprTceTable(long liobn, AddressSpace target) {
        if ((liobn & 0xffff_ffff_0000_0000L) != 0) {
            throw new IllegalArgumentException("LIOBN 0x" + Long.toHexString(liobn) + " does not fit 32 bits");
        }
        this.liobn = liobn;
        this.target = target;
    }

    public long liobn() {
        return liobn;
    }

    public synchronized int pageShift() {
        return pageShift;
    }

    public synchronized long busOffset() {
        return busOffset;
    }

    /** Entries; 0 while disabled. */
    public synchronized long nbTable() {
        return nbTable;
    }

    public synchronized boolean enabled() {
        return nbTable != 0;
    }

    /** The IOMMU region while enabled, or null. */
    public synchronized IommuRegion region() {
        return region;
    }

    /** spapr_tce_table_enable: a zeroed window; returns the region to place at {@code busOffset}. */
    public synchronized IommuRegion enable(int pageShift, long busOffset, long nbTable) {
        if (this.nbTable != 0) {
            throw new IllegalStateException("TCE table 0x" + Long.toHexString(liobn) + " is already enabled");
        }
        if (nbTable <= 0 || nbTable > (1L << 28)) {
            throw new IllegalArgumentException("TCE table 0x" + Long.toHexString(liobn) + ": " + nbTable + " entries");
        }
        this.pageShift = pageShift;
        this.busOffset = busOffset;
        this.nbTable = nbTable;
        this.table = new long[(int) nbTable];
        this.region = new IommuRegion("tce-0x" + Long.toHexString(liobn), nbTable << pageShift, this, target);
        return region;
    }

    /** spapr_tce_table_disable: the window goes (the caller removes the region first). */
    public synchronized void disable() {
        this.nbTable = 0;
        this.table = new long[0];
        this.region = null;
        this.kvm = null;
    }

    /** From now on the TCEs live in KVM's table for this LIOBN (same window). */
    public synchronized void attachKvm(KvmSpaprTceTable t) {
        if (t.liobn() != liobn || t.pageShift() != pageShift || t.size() != nbTable || t.offset() << t.pageShift() != busOffset) {
            throw new IllegalArgumentException("KVM table " + t + " does not describe window 0x" + Long.toHexString(busOffset)
                    + " of LIOBN 0x" + Long.toHexString(liobn));
        }
        this.kvm = t;
    }

    public KvmSpaprTceTable kvmTable() {
        return kvm;
    }

    /** The TCE of window entry {@code index}. */
    public long get(long index) {
        KvmSpaprTceTable k = kvm;
        return k != null ? k.get(index) : table[(int) index];
    }

    private void set(long index, long tce) {
        KvmSpaprTceTable k = kvm;
        if (k != null) {
            k.set(index, tce);
        } else {
            table[(int) index] = tce;
        }
    }

    /**
     * put_tce_emu: stores {@code tce} for bus address {@code ioba} (already rounded down to the
     * page) and notifies; H_PARAMETER (-4) when the index is outside the table (which also catches
     * an ioba below the window through wraparound), else H_SUCCESS.
     */
    public synchronized long putTce(long ioba, long tce) {
        long index = (ioba - busOffset) >>> pageShift;
        if (Long.compareUnsigned(index, nbTable) >= 0) {
            return -4;
        }
        set(index, tce);
        long pageMask = -(1L << pageShift);
        IommuPermission perm = permission(tce);
        IommuTlbEntry e = new IommuTlbEntry(new Iova((ioba - busOffset) & pageMask), new GuestAddress(tce & pageMask),
                ~pageMask, perm);
        region.notifyChange(new IommuEvent(perm == IommuPermission.NONE ? IommuEvent.Type.UNMAP : IommuEvent.Type.MAP, e));
        return 0;
    }

    /** get_tce_emu: the TCE for {@code ioba}, or null when outside the table. */
    public synchronized Long getTce(long ioba) {
        long index = (ioba - busOffset) >>> pageShift;
        if (Long.compareUnsigned(index, nbTable) >= 0) {
            return null;
        }
        return get(index);
    }

    static IommuPermission permission(long tce) {
        return IommuPermission.of((tce & 1) != 0, (tce & 2) != 0);
    }

    @Override
    public IommuTlbEntry translate(long offset, AccessKind access) {
        int shift;
        long n;
        synchronized (this) {
            shift = pageShift;
            n = nbTable;
        }
        long pageMask = -(1L << shift);
        long index = offset >>> shift;
        if (n == 0 || Long.compareUnsigned(index, n) >= 0) {
            return IommuTlbEntry.none(new Iova(offset), shift == 0 ? 0xfff : ~pageMask);
        }
        long tce = get(index);
        IommuPermission perm = permission(tce);
        if (!perm.allows(access)) {
            return IommuTlbEntry.none(new Iova(offset), ~pageMask);
        }
        return new IommuTlbEntry(new Iova(offset & pageMask), new GuestAddress(tce & pageMask), ~pageMask, perm);
    }

    /** The first page at or after {@code offset} whose TCE gives any access; -1 (past every region) when none. */
    @Override
    public long nextMapped(long offset) {
        int shift;
        long n;
        synchronized (this) {
            shift = pageShift;
            n = nbTable;
        }
        if (n == 0) {
            return -1L;
        }
        long first = offset >>> shift;
        long[] own = kvm == null ? table : null;
        long limit = own != null ? Math.min(n, own.length) : n; // a table disabled meanwhile is empty
        for (long i = first; Long.compareUnsigned(i, limit) < 0; i++) {
            if (((own != null ? own[(int) i] : get(i)) & 3) != 0) {
                return i == first ? offset : i << shift;
            }
        }
        return -1L;
    }

    @Override
    public long minPageSize() {
        synchronized (this) {
            return 1L << (pageShift == 0 ? 12 : pageShift);
        }
    }

    @Override
    public synchronized String toString() {
        return "SpaprTceTable[liobn=0x" + Long.toHexString(liobn) + (nbTable == 0 ? ", disabled"
                : ", bus 0x" + Long.toHexString(busOffset) + "+0x" + Long.toHexString(nbTable << pageShift) + ", page shift "
                        + pageShift) + (kvm != null ? ", in KVM" : "") + "]";
    }

}
