package org.jvmm.pci.host.spapr;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
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
    /** Translation passes a DMA makes at most while the tables keep changing under it. */
    private static final int TRANSLATE_ATTEMPTS = 64;
    /** Test hook: runs after a DMA translated its pages and before it copies (null in production). */
    private Runnable afterTranslation;
    /** Test hook: runs once in a DMA's first translation pass, after its first page (null in production). */
    private Runnable midTranslation;

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
        return windowFor(ioba, window0, window1);
    }

    private static TceTable windowFor(long ioba, TceTable w0, TceTable w1) {
        if (w0 != null && w0.contains(ioba)) {
            return w0;
        }
        if (w1 != null && w1.contains(ioba)) {
            return w1;
        }
        return null;
    }

    /**
     * Device DMA of {@code buffer.byteSize()} bytes at bus address {@code iova}, whole against one
     * view of the windows and their tables, or a fault having moved nothing. The pages are
     * translated and checked first, reading each TCE once; the pass counts as one view when no
     * window changed and no TCE of either table was written while it ran ({@link TceTable#writes}),
     * else it is made again, up to {@value #TRANSLATE_ATTEMPTS} times. A DMA whose tables changed
     * under every one of those passes faults as {@link FaultReason#UNMAPPED} having moved nothing
     * (its range was being remapped throughout), so it never mixes two views. The bytes then move through those translations only: a TCE
     * cleared or a window removed while the copy runs does not touch this DMA (as an in-flight
     * transfer completes before the hardware's TCE invalidation does); the next DMA sees it.
     */
    @Override
    public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        if (dmaFrozen) {
            return FaultReason.PE_FROZEN;
        }
        long start = iova.value();
        long len = buffer.byteSize();
        long need = toMemory ? TceTable.TCE_WRITE : TceTable.TCE_READ;
        long end = start + len;
        boolean wraps = Long.compareUnsigned(end - 1, start) < 0;
        // translate: every page inside a window, valid, permitted and backed; host-contiguous
        // pages of one mapping merge into one run (usually the DMA is a single run)
        MemorySegment run = null; // the run being built: its mapping's segment, from runStart
        long runStart = 0;
        long runLen = 0;
        MemorySegment[] runs = null; // finished runs, only when the DMA has more than one
        int finished = 0;
        for (int attempt = 1; ; attempt++) {
            TceTable w0 = window0;
            TceTable w1 = window1;
            long writes0 = w0 == null ? 0 : w0.writes();
            long writes1 = w1 == null ? 0 : w1.writes();
            run = null;
            finished = 0;
            long at = start;
            while (true) {
                TceTable t = wraps ? null : windowFor(at, w0, w1);
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
                long host = (tce & ~pageMask) + (at & pageMask);
                if (run != null && run.address() + runStart + runLen == host
                        && Long.compareUnsigned(runStart + runLen + n, run.byteSize()) <= 0) {
                    runLen += n; // continues the run in the same mapping
                } else {
                    HostMapping m = memory.find(new HostAddress(host), n);
                    MemorySegment seg = m == null ? null : segmentOf(m);
                    if (seg == null) {
                        return FaultReason.UNMAPPED; // the page behind the TCE is gone
                    }
                    if (run != null) {
                        if (runs == null) {
                            runs = new MemorySegment[4];
                        } else if (finished == runs.length) {
                            runs = Arrays.copyOf(runs, finished * 2);
                        }
                        runs[finished++] = run.asSlice(runStart, runLen);
                    }
                    run = seg;
                    runStart = host - m.address().value();
                    runLen = n;
                }
                if (midTranslation != null && at == start) {
                    midTranslation.run();
                }
                long pageEnd = ((at >>> t.pageShift()) + 1) << t.pageShift();
                if (pageEnd == 0 || Long.compareUnsigned(pageEnd, end) >= 0) {
                    break;
                }
                at = pageEnd;
            }
            boolean oneView = window0 == w0 && window1 == w1 && (w0 == null || w0.writes() == writes0)
                    && (w1 == null || w1.writes() == writes1);
            if (oneView) {
                break;
            }
            if (attempt == TRANSLATE_ATTEMPTS) {
                return FaultReason.UNMAPPED;
            }
        }
        if (afterTranslation != null) {
            afterTranslation.run();
        }
        // copy through the translations made above, never reading the tables again
        long done = 0;
        for (int i = 0; i < finished; i++) {
            done += copy(runs[i], buffer, done, toMemory);
        }
        copy(run.asSlice(runStart, runLen), buffer, done, toMemory);
        return null;
    }

    /** The mapping's memory, or null when it was closed (the process freed it). */
    private static MemorySegment segmentOf(HostMapping m) {
        if (m.isClosed()) {
            return null;
        }
        try {
            return m.segment();
        } catch (IllegalStateException closedJustNow) {
            return null;
        }
    }

    private static long copy(MemorySegment target, MemorySegment buffer, long at, boolean toMemory) {
        long n = target.byteSize();
        if (toMemory) {
            MemorySegment.copy(buffer, at, target, 0, n);
        } else {
            MemorySegment.copy(target, 0, buffer, at, n);
        }
        return n;
    }

    /**
     * Test hook: {@code hook} runs inside every later DMA between its translation and its copy,
     * so a test can change the table exactly there. Set it before DMA starts; null removes it.
     */
    void afterTranslationForTest(Runnable hook) {
        this.afterTranslation = hook;
    }

    /** Test hook: {@code hook} runs in each translation pass of a DMA right after its first page. */
    void midTranslationForTest(Runnable hook) {
        this.midTranslation = hook;
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
