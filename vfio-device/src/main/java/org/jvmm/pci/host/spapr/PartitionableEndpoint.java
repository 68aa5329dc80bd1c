package org.jvmm.pci.host.spapr;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.DmaDomain;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.iommu.HostIommuTlbEntry;

/**
 * One partitionable endpoint of a sPAPR host bridge: the unit of isolation and error recovery,
 * which here is exactly one IOMMU group. It has up to two DMA windows (TVEs), each backed by a
 * {@link TceTable}; device DMA of its functions translates through them ({@link DmaDomain}).
 *
 * <p>Ownership (the sPAPR IOMMU ownership rework, "Rework ownership"; seed 002): at boot the platform (the host kernel's own DMA
 * ops) owns the PE and has programmed a default 32-bit window with its own table. A VFIO
 * container {@link #takeOwnership takes} the PE: the platform's tables are unset and freed, and
 * from then on only the owner's tables are set. Before {@link #releaseOwnership release} the
 * owner unsets every table it set; the platform then recreates its default 32-bit window.
 *
 * <p>EEH: a DMA to a bus address outside every window freezes the PE (MMIO reads all-ones,
 * stores dropped, DMA blocked) until the recovery sequence thaws or resets it. {@link #injectError}
 * freezes it on request.
 *
 * <p>Thread rules: state changes hold this object's monitor (callers: the PHB under the platform
 * lock, or the owning container). DMA reads the windows and the freeze flags lock-free
 * (volatile), and freezes the PE with a compare-and-set.
 */
public final class PartitionableEndpoint implements DmaDomain {
    /** Where the platform's own 32-bit table comes from (its owner tag). */
    public static final Object PLATFORM = new Object() {
        @Override
        public String toString() {
            return "platform";
        }
    };

    private final PnvPhb phb;
    private final IommuGroup group;
    private final HostMemoryRegistry memory;
    private final TceTable[] windows = new TceTable[2];
    private volatile TceTable window0;
    private volatile TceTable window1;
    private Object owner = PLATFORM;
    private boolean eehEnabled;
    private volatile boolean dmaFrozen;
    private boolean resetActive;
    private final List<byte[]> savedConfig = new ArrayList<>();
    private final AtomicLong freezes = new AtomicLong();
    private volatile FreezeCause lastFreeze;

    /** Why the PE froze last. */
    public record FreezeCause(Iova iova, long size, AccessKind access, String reason) {
    }

    PartitionableEndpoint(PnvPhb phb, IommuGroup group, HostMemoryRegistry memory) {
        this.phb = phb;
        this.group = group;
        this.memory = memory;
        createPlatformDefaultWindow();
    }

    private void createPlatformDefaultWindow() {
        PnvPhbConfig c = phb.config();
        setWindowInternal(0, new TceTable(12, c.tce32Start() >>> 12, c.tce32Size() >>> 12, 1, PLATFORM));
    }

    public IommuGroup group() {
        return group;
    }

    public PnvPhb phb() {
        return phb;
    }

    /** The PE number: the IOMMU group's number. */
    public int number() {
        return group.id();
    }

    // ---- ownership and windows (iommu_table_group_ops) ----

    /** Who owns the PE's tables: {@link #PLATFORM} or a VFIO container. */
    public synchronized Object owner() {
        return owner;
    }

    /** take_ownership: the platform's tables are unset and dropped; DMA goes through this PE. */
    public synchronized void takeOwnership(Object newOwner) {
        if (owner != PLATFORM) {
            throw new IllegalStateException("PE " + number() + " is already owned by " + owner);
        }
        for (int i = 0; i < windows.length; i++) {
            setWindowInternal(i, null);
        }
        owner = newOwner;
        group.setDmaDomain(this);
    }

    /**
     * release_ownership: the owner must have unset its tables; the platform recreates its default
     * 32-bit window and the group's DMA leaves the owner.
     */
    public synchronized void releaseOwnership(Object oldOwner) {
        if (owner != oldOwner) {
            throw new IllegalStateException("PE " + number() + " is owned by " + owner + ", not " + oldOwner);
        }
        for (int i = 0; i < windows.length; i++) {
            if (windows[i] != null) {
                throw new IllegalStateException("PE " + number() + " released with window " + i + " still set");
            }
        }
        owner = PLATFORM;
        group.setDmaDomain(null);
        createPlatformDefaultWindow();
    }

    /** set_window: programs {@code table} as window {@code num} (0 or 1). */
    public synchronized void setWindow(Object caller, int num, TceTable table) {
        checkOwner(caller);
        if (windows[num] != null) {
            throw new IllegalStateException("PE " + number() + " window " + num + " is already set");
        }
        setWindowInternal(num, table);
    }

    /** unset_window. */
    public synchronized void unsetWindow(Object caller, int num) {
        checkOwner(caller);
        setWindowInternal(num, null);
    }

    private void checkOwner(Object caller) {
        if (owner != caller) {
            throw new IllegalStateException("PE " + number() + " is owned by " + owner + ", not " + caller);
        }
    }

    private void setWindowInternal(int num, TceTable table) {
        windows[num] = table;
        if (num == 0) {
            window0 = table;
        } else {
            window1 = table;
        }
    }

    /** The table set as window {@code num}, or null. */
    public TceTable window(int num) {
        return num == 0 ? window0 : window1;
    }

    /** The tables set now, window 0 first (nulls left out). */
    public synchronized List<TceTable> tables() {
        List<TceTable> out = new ArrayList<>();
        for (TceTable t : windows) {
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    // ---- EEH ----

    public synchronized EehState eehState() {
        return new EehState(eehEnabled, group.mmioFrozen(), dmaFrozen, resetActive);
    }

    /** Times the PE froze since boot. */
    public long freezeCount() {
        return freezes.get();
    }

    /** Why the PE froze last, or null. */
    public FreezeCause lastFreeze() {
        return lastFreeze;
    }

    synchronized void setEehEnabled(boolean enabled) {
        this.eehEnabled = enabled;
    }

    synchronized boolean eehEnabled() {
        return eehEnabled;
    }

    /** Isolates the PE: MMIO all-ones, DMA blocked. */
    void freeze(FreezeCause cause) {
        lastFreeze = cause;
        freezes.incrementAndGet();
        dmaFrozen = true;
        group.setMmioFrozen(true);
    }

    /** EEH_OPT_THAW_MMIO. */
    synchronized void thawMmio() {
        group.setMmioFrozen(false);
    }

    /** EEH_OPT_THAW_DMA. */
    synchronized void thawDma() {
        dmaFrozen = false;
    }

    /** EEH_RESET_HOT / EEH_RESET_FUNDAMENTAL: config saved, reset held, functions back to power-on. */
    synchronized void assertReset() {
        if (!resetActive) {
            savedConfig.clear();
            for (HostPciFunction f : group.functions()) {
                savedConfig.add(f.config() == null ? null : f.config().save());
            }
        }
        resetActive = true;
        for (HostPciFunction f : group.functions()) {
            if (f.model() != null) {
                f.model().reset();
                f.config().resetToPowerOn();
            }
        }
    }

    /**
     * EEH_RESET_DEACTIVATE: the reset is released, the freeze cleared, and the functions' saved
     * BARs and command register restored (eeh_pe_reenable_devices).
     */
    synchronized void deactivateReset() {
        if (resetActive) {
            List<HostPciFunction> fns = group.functions();
            for (int i = 0; i < fns.size(); i++) {
                byte[] saved = savedConfig.get(i);
                if (saved != null) {
                    fns.get(i).config().restore(saved);
                }
            }
            savedConfig.clear();
        }
        resetActive = false;
        dmaFrozen = false;
        group.setMmioFrozen(false);
    }

    void injectError(String detail) {
        freeze(new FreezeCause(new Iova(0), 0, AccessKind.READ, "injected: " + detail));
    }

    // ---- device DMA ----

    private TceTable windowFor(long ioba) {
        TceTable t = window0;
        if (t != null && t.contains(ioba)) {
            return t;
        }
        t = window1;
        if (t != null && t.contains(ioba)) {
            return t;
        }
        return null;
    }

    @Override
    public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        if (dmaFrozen) {
            return FaultReason.PE_FROZEN;
        }
        long start = iova.value();
        long len = buffer.byteSize();
        long need = toMemory ? TceTable.TCE_WRITE : TceTable.TCE_READ;
        // pass 1: every page inside a window, valid and permitted (all or nothing)
        HostMapping cur = null; // consecutive pages are usually in one mapping
        long at = start;
        long end = start + len;
        boolean wraps = Long.compareUnsigned(end - 1, start) < 0;
        while (true) {
            TceTable t = wraps ? null : windowFor(at);
            if (t == null) {
                freeze(new FreezeCause(iova, len, toMemory ? AccessKind.WRITE : AccessKind.READ,
                        "bus address 0x" + Long.toHexString(wraps ? start : at) + " is outside every DMA window"));
                return FaultReason.OUTSIDE_DMA_WINDOW;
            }
            long tce = t.get(at >>> t.pageShift());
            if ((tce & TceTable.TCE_PERMS) == 0) {
                return FaultReason.UNMAPPED;
            }
            if ((tce & need) == 0) {
                return FaultReason.PERMISSION;
            }
            long pageMask = t.pageSize() - 1;
            long n = Math.min(end - at, t.pageSize() - (at & pageMask));
            HostAddress host = new HostAddress((tce & ~pageMask) + (at & pageMask));
            HostMapping m = cur != null && cur.contains(host, n) ? cur : memory.find(host, n);
            cur = m;
            if (m == null || m.isClosed()) {
                return FaultReason.UNMAPPED; // the page behind the TCE is gone
            }
            long pageEnd = ((at >>> t.pageShift()) + 1) << t.pageShift();
            if (pageEnd == 0 || Long.compareUnsigned(pageEnd, end) >= 0) {
                break;
            }
            at = pageEnd;
        }
        // pass 2: copy page by page
        long done = 0;
        while (done < len) {
            long a = start + done;
            TceTable t = windowFor(a);
            long tce = t.get(a >>> t.pageShift());
            long pageMask = t.pageSize() - 1;
            long inPage = a & pageMask;
            long n = Math.min(len - done, t.pageSize() - inPage);
            HostAddress host = new HostAddress((tce & ~pageMask) + inPage);
            HostMapping m = cur.contains(host, n) ? cur : memory.find(host, n);
            cur = m;
            MemorySegment target = m.segment().asSlice((tce & ~pageMask) + inPage - m.address().value(), n);
            if (toMemory) {
                MemorySegment.copy(buffer, done, target, 0, n);
            } else {
                MemorySegment.copy(target, 0, buffer, done, n);
            }
            done += n;
        }
        return null;
    }

    @Override
    public HostIommuTlbEntry translate(Iova iova, AccessKind access) {
        long ioba = iova.value();
        TceTable t = windowFor(ioba);
        if (t == null || dmaFrozen) {
            return HostIommuTlbEntry.miss(iova, 0xfff);
        }
        long mask = t.pageSize() - 1;
        long tce = t.get(ioba >>> t.pageShift());
        IommuPermission perm = IommuPermission.of((tce & TceTable.TCE_READ) != 0, (tce & TceTable.TCE_WRITE) != 0);
        if (!perm.allows(access)) {
            return HostIommuTlbEntry.miss(iova, mask);
        }
        return new HostIommuTlbEntry(new Iova(ioba & ~mask), new HostAddress(tce & ~mask), mask, perm);
    }

    @Override
    public String toString() {
        return "PE#" + number() + "[owner=" + owner + ", windows=" + tables() + ", " + eehState() + "]";
    }
}
