package org.jvmm.hw.vtd;

import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.jvmm.address.GuestAddress;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.GuestMemory;
import org.jvmm.memory.MemTxResult;
import org.jvmm.memory.MmioOps;
import org.jvmm.trace.Trace;

/**
 * A virtual Intel VT-d in scalable mode, the subset of reference Part C a guest needs for shared
 * virtual addressing: the register block ({@link VtdRegs}), the root table, scalable-mode context
 * entries, PASID directory and table, first-stage (x86-64 format) tables in guest memory, an
 * IOTLB keyed by (domain, PASID, page) ({@link VtdIotlb}), a PASID cache, queued invalidation
 * (wait, PASID-based IOTLB, PASID cache, page group response), the fault recording register with
 * its interrupt, and the page request queue.
 *
 * <p>Devices behind it are known by source id (bus &lt;&lt; 8 | devfn). An emulated device asks
 * {@link #translate}/{@link #dma}; a host device with a {@link VtdBackend} gets its PASID
 * bindings at PASID-cache invalidations and its IOTLB invalidations forwarded, and hands its
 * page faults in through {@link #hostFault}: with page requests enabled for the device (context
 * entry PRE, a page request queue set) they go to the guest's queue, otherwise they become
 * recorded non-recoverable faults.
 *
 * <p>Nothing a guest does throws: malformed descriptors set FSTS.IQE and stop the queue, bad
 * tables become fault records, unknown registers read 0 and drop writes.
 *
 * <h2>Threads and locks</h2>
 * Registers, caches and counters are guarded by {@code this}. MSIs, backend calls and device
 * responses run after {@code this} is released (they may come back in through {@link #hostFault}
 * on the same thread). The invalidation queue is drained by one thread at a time ({@code
 * drainLock}), so its descriptors' effects keep their order.
 */
public final class VtdIommu implements MmioOps {
    /** Where the IOMMU's interrupts go (FEADDR/FEDATA, IEADDR/IEDATA, PEADDR/PEDATA). */
    @FunctionalInterface
    public interface MsiSink {
        void signal(long address, int data);
    }

    /** A stage-1 translation of one page: the guest-physical page and whether it may be written; or a fault. */
    public record Translation(long gpa, boolean writable, int reason, boolean fpd, int did) {
        static Translation fault(int reason, boolean fpd) {
            return new Translation(0, false, reason, fpd, -1);
        }

        public boolean ok() {
            return reason == 0;
        }
    }

    /** A non-recoverable fault as recorded (C-22). */
    public record Fault(int reason, int sid, int pasid, long addr, boolean write) {
    }

    private final GuestMemory memory;
    private final MsiSink msi;
    private final VtdIotlb iotlb = new VtdIotlb();
    private final Map<Integer, VtdBackend> backends = new TreeMap<>();
    private final Map<Long, VtdPasidEntry> pasidCache = new HashMap<>();
    private final Object drainLock = new Object();

    private int gsts;
    private long rtaddr;
    private long rtaddrLatched;
    private long ccmd;
    private int fsts;
    private int fectl = CTL_IM;
    private int fedata;
    private int feaddr;
    private int feuaddr;
    private long iqh;
    private long iqt;
    private long iqa;
    private int ics;
    private int iectl = CTL_IM;
    private int iedata;
    private int ieaddr;
    private long pqh;
    private long pqt;
    private long pqa;
    private int prs;
    private int pectl = CTL_IM;
    private int pedata;
    private int peaddr;
    private long frcdLo;
    private long frcdHi;

    private long walks;
    private long faultsRecorded;
    private long faultsSuppressed;
    private long faultsOverflowed;
    private long pageRequests;
    private long pageResponses;
    private long descriptors;
    private final long[] descriptorsByType = new long[16];
    /** The last {@link #FAULT_LOG_SIZE} faults recorded (a guest can fault without end). */
    private final java.util.ArrayDeque<Fault> faultLog = new java.util.ArrayDeque<>();
    public static final int FAULT_LOG_SIZE = 256;
    private final List<String> backendErrors = new ArrayList<>();
    /** Page requests awaiting the guest's group response: (sid << 16 | prgi) -> what to do. */
    private final Map<Integer, PendingRequest> pending = new LinkedHashMap<>();
    private final List<Runnable> after = new ArrayList<>();

    private record PendingRequest(int pasid, long page, IntConsumer respond) {
    }

    public VtdIommu(GuestMemory memory, MsiSink msi) {
        this.memory = memory;
        this.msi = msi;
    }

    /** Puts the device with source id {@code sid} behind a host backend (pasid-api=iommufd or seed). */
    public synchronized void attachBackend(int sid, VtdBackend backend) {
        backends.put(sid, backend);
    }

    public synchronized VtdBackend backend(int sid) {
        return backends.get(sid);
    }

    @Override
    public AccessRules rules() {
        return AccessRules.of(4, 8, Endianness.LITTLE);
    }

    // ------------------------------------------------------------------ registers

    private static boolean is64(int off) {
        return switch (off) {
            case CAP, ECAP, RTADDR, CCMD, IQH, IQT, IQA, IQERCD, PQH, PQT, PQA, IVA, IVA + 8, FRCD, FRCD + 8 -> true;
            default -> false;
        };
    }

    @Override
    public long read(long offset, int size) {
        int off = (int) offset;
        synchronized (this) {
            if (size == 8) {
                return is64(off) ? reg64(off) : (reg32(off) & 0xffff_ffffL) | (reg32(off + 4) & 0xffff_ffffL) << 32;
            }
            int base = off & ~7;
            if (is64(base)) {
                return (reg64(base) >>> ((off & 4) * 8)) & 0xffff_ffffL;
            }
            return reg32(off) & 0xffff_ffffL;
        }
    }

    private long reg64(int off) {
        return switch (off) {
            case CAP -> CAP_VALUE;
            case ECAP -> ECAP_VALUE;
            case RTADDR -> rtaddr;
            case CCMD -> ccmd;
            case IQH -> iqh;
            case IQT -> iqt;
            case IQA -> iqa;
            case PQH -> pqh;
            case PQT -> pqt;
            case PQA -> pqa;
            case FRCD -> frcdLo;
            case FRCD + 8 -> frcdHi;
            default -> 0;
        };
    }

    private int reg32(int off) {
        return switch (off) {
            case VER -> VERSION;
            case GSTS -> gsts;
            case FSTS -> fsts | ((frcdHi & FRCD_F) != 0 ? FSTS_PPF : 0);
            case FECTL -> fectl;
            case FEDATA -> fedata;
            case FEADDR -> feaddr;
            case FEUADDR -> feuaddr;
            case ICS -> ics;
            case IECTL -> iectl;
            case IEDATA -> iedata;
            case IEADDR -> ieaddr;
            case PRS -> prs;
            case PECTL -> pectl;
            case PEDATA -> pedata;
            case PEADDR -> peaddr;
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        int off = (int) offset;
        boolean drain = false;
        synchronized (this) {
            int base = off & ~7;
            if (is64(base)) {
                long v;
                if (size == 8) {
                    v = value;
                } else if ((off & 4) == 0) {
                    v = (reg64(base) & 0xffff_ffff_0000_0000L) | (value & 0xffff_ffffL);
                } else {
                    v = (reg64(base) & 0xffff_ffffL) | (value << 32);
                }
                drain = write64(base, v);
            } else if (size == 8) {
                write32(off, (int) value);
                write32(off + 4, (int) (value >>> 32));
            } else {
                write32(off, (int) value);
            }
        }
        runAfter();
        if (drain) {
            drainQueue();
        }
    }

    /** Returns true when the invalidation queue should be drained. */
    private boolean write64(int off, long v) {
        switch (off) {
            case RTADDR -> rtaddr = v & (ADDR_MASK | RTADDR_SMT);
            case CCMD -> {
                // register-based context-cache invalidation: done at once (ICC clears), caches dropped
                ccmd = v & ~(1L << 63);
                pasidCache.clear();
            }
            case IQT -> {
                iqt = v & (dw256() ? 0x7_ffe0L : 0x7_fff0L);
                return (gsts & GSTS_QIES) != 0;
            }
            case IQA -> iqa = v & (ADDR_MASK | (1L << 11) | 7);
            case PQH -> pqh = v & 0x7_ffe0L;
            case PQA -> pqa = v & (ADDR_MASK | 7);
            case FRCD + 8 -> {
                if ((v & FRCD_F) != 0) {
                    frcdHi &= ~FRCD_F; // write 1 to clear
                }
            }
            default -> {
            }
        }
        return false;
    }

    private void write32(int off, int v) {
        switch (off) {
            case GCMD -> gcmd(v);
            case FSTS -> fsts &= ~(v & (FSTS_PFO | FSTS_IQE | (1 << 5) | (1 << 6)));
            case FECTL -> fectl = unmask(v, fectl, feaddr, fedata);
            case FEDATA -> fedata = v;
            case FEADDR -> feaddr = v & ~3;
            case FEUADDR -> feuaddr = v;
            case ICS -> ics &= ~(v & ICS_IWC);
            case IECTL -> iectl = unmask(v, iectl, ieaddr, iedata);
            case IEDATA -> iedata = v;
            case IEADDR -> ieaddr = v & ~3;
            case PRS -> prs &= ~(v & (PRS_PPR | PRS_PRO));
            case PECTL -> pectl = unmask(v, pectl, peaddr, pedata);
            case PEDATA -> pedata = v;
            case PEADDR -> peaddr = v & ~3;
            default -> {
            }
        }
    }

    /** A write to an event control register: IM as written; unmasking with IP pending sends the interrupt. */
    private int unmask(int v, int old, int addr, int data) {
        if ((v & CTL_IM) == 0 && (old & CTL_IP) != 0) {
            sendMsi(addr, data);
            return 0;
        }
        return (v & CTL_IM) | (old & CTL_IP);
    }

    private void gcmd(int v) {
        if ((v & GCMD_SRTP) != 0) {
            rtaddrLatched = rtaddr;
            gsts |= GSTS_RTPS;
            pasidCache.clear();
            iotlb.clear();
            unbindAll();
        }
        if ((v & GCMD_QIE) != 0 && (gsts & GSTS_QIES) == 0) {
            gsts |= GSTS_QIES;
            iqh = 0;
        } else if ((v & GCMD_QIE) == 0) {
            gsts &= ~GSTS_QIES;
        }
        if ((v & GCMD_TE) != 0) {
            gsts |= GSTS_TES;
        } else if ((gsts & GSTS_TES) != 0) {
            gsts &= ~GSTS_TES;
            unbindAll();
        }
    }

    private void unbindAll() {
        for (Map.Entry<Integer, VtdBackend> e : backends.entrySet()) {
            VtdBackend b = e.getValue();
            for (int pasid : List.copyOf(b.bound())) {
                after.add(() -> backendCall(() -> b.unbind(pasid), "unbind PASID " + pasid));
            }
        }
    }

    private boolean dw256() {
        return (iqa & (1L << 11)) != 0;
    }

    private void sendMsi(int addr, int data) {
        long a = addr & 0xffff_ffffL;
        after.add(() -> msi.signal(a, data));
    }

    /** An event (fault, invalidation completion, page request): interrupt unless masked, else IP. */
    private int event(int ctl, int addr, int data) {
        if ((ctl & CTL_IM) != 0) {
            return ctl | CTL_IP;
        }
        sendMsi(addr, data);
        return ctl;
    }

    private void runAfter() {
        List<Runnable> todo;
        synchronized (this) {
            if (after.isEmpty()) {
                return;
            }
            todo = List.copyOf(after);
            after.clear();
        }
        for (Runnable r : todo) {
            r.run();
        }
    }

    private void backendCall(Runnable r, String what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            synchronized (this) {
                backendErrors.add(what + ": " + e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ guest memory

    private long load(long gpa, boolean[] ok) {
        MemorySegment b = MemorySegment.ofArray(new long[1]);
        MemTxResult r = memory.read(new GuestAddress(gpa), b);
        ok[0] = r == MemTxResult.OK;
        return b.get(ValueLayout.JAVA_LONG, 0);
    }

    private boolean store(long gpa, long v) {
        MemorySegment b = MemorySegment.ofArray(new long[] {v});
        return memory.write(new GuestAddress(gpa), b) == MemTxResult.OK;
    }

    // ------------------------------------------------------------------ tables

    /** Context entry words 0 and 1 of {@code sid}, or a fault reason in {@code reason[0]}. */
    private long[] context(int sid, int[] reason) {
        boolean[] ok = new boolean[1];
        int bus = sid >>> 8;
        int devfn = sid & 0xff;
        long root = load((rtaddrLatched & ADDR_MASK) + bus * 16L + (devfn >= 128 ? 8 : 0), ok);
        if (!ok[0] || (root & ROOT_P) == 0) {
            reason[0] = FR_ROOT_ENTRY_P;
            return null;
        }
        long ce = (root & ADDR_MASK) + (devfn & 0x7f) * 32L;
        long w0 = load(ce, ok);
        long w1 = ok[0] ? load(ce + 8, ok) : 0;
        if (!ok[0] || (w0 & CTX_P) == 0) {
            reason[0] = FR_CONTEXT_ENTRY_P;
            return null;
        }
        return new long[] {w0, w1};
    }

    /** The PASID entry for (sid, pasid) through the PASID cache, or null with the fault reason and FPD. */
    private VtdPasidEntry pasidEntry(int sid, long[] ctx, int pasid, int[] reason, boolean[] fpd) {
        long key = (long) sid << 32 | pasid;
        VtdPasidEntry cached = pasidCache.get(key);
        if (cached != null) {
            return cached;
        }
        VtdPasidEntry e = readPasidEntry(ctx, pasid, reason, fpd);
        if (e != null) {
            pasidCache.put(key, e);
        }
        return e;
    }

    private VtdPasidEntry readPasidEntry(long[] ctx, int pasid, int[] reason, boolean[] fpd) {
        boolean[] ok = new boolean[1];
        int pdts = (int) (ctx[0] >>> 9) & 7;
        long dirEntries = 1L << (7 + pdts);
        long dirIndex = (pasid >>> 6) & 0x3fff;
        if (dirIndex >= dirEntries) {
            reason[0] = FR_PASID_DIR_ENTRY_P;
            return null;
        }
        long pde = load((ctx[0] & ADDR_MASK) + dirIndex * 8, ok);
        if (!ok[0]) {
            reason[0] = FR_PASID_DIR_ACCESS;
            return null;
        }
        fpd[0] = (pde & PDE_FPD) != 0;
        if ((pde & PDE_P) == 0) {
            reason[0] = FR_PASID_DIR_ENTRY_P;
            return null;
        }
        long pe = (pde & ADDR_MASK) + (pasid & 0x3f) * 64L;
        long w0 = load(pe, ok);
        long w1 = ok[0] ? load(pe + 8, ok) : 0;
        long w2 = ok[0] ? load(pe + 16, ok) : 0;
        if (!ok[0]) {
            reason[0] = FR_PASID_TABLE_ACCESS;
            return null;
        }
        fpd[0] |= (w0 & PE_FPD) != 0;
        if ((w0 & PE_P) == 0) {
            reason[0] = FR_PASID_ENTRY_P;
            return null;
        }
        int pgtt = (int) (w0 >>> 6) & 7;
        int flpm = (int) (w2 >>> 2) & 3;
        if (pgtt != PGTT_FIRST_STAGE || flpm > 1) {
            // the model offers first-stage translation only (ECAP.FSTS without SLTS/NEST/PT)
            reason[0] = FR_PASID_ENTRY_INV;
            return null;
        }
        return new VtdPasidEntry((int) (w1 & 0xffff), pgtt, w2 & ADDR_MASK, flpm == 1 ? 5 : 4, fpd[0], (w2 & PE2_SRE) != 0,
                (w2 & PE2_WPE) != 0, (w2 & PE2_EAFE) != 0, ctx[0] & ADDR_MASK, pdts);
    }

    // ------------------------------------------------------------------ translation

    /**
     * Translates the page of {@code addr} for a request from {@code sid} with {@code pasid} (-1:
     * without a PASID, RID_PASID is used, C-7): through the IOTLB, or a walk of the guest's
     * tables that fills it. Faults are returned, not recorded.
     */
    public synchronized Translation translate(int sid, int pasid, long addr, boolean write) {
        return translate(sid, pasid, addr, write, true);
    }

    private Translation translate(int sid, int pasid, long addr, boolean write, boolean useCaches) {
        if ((gsts & GSTS_TES) == 0 || (rtaddrLatched & RTADDR_SMT) == 0) {
            return Translation.fault(FR_ROOT_ENTRY_P, true); // translation off: requests with PASID are blocked, nothing recorded
        }
        int[] reason = new int[1];
        long[] ctx = context(sid, reason);
        if (ctx == null) {
            return Translation.fault(reason[0], false);
        }
        int p = pasid < 0 ? (int) (ctx[1] & 0xf_ffff) : pasid;
        boolean[] fpd = {(ctx[0] & CTX_FPD) != 0};
        VtdPasidEntry pe = useCaches ? pasidEntry(sid, ctx, p, reason, fpd) : readPasidEntry(ctx, p, reason, fpd);
        if (pe == null) {
            return Translation.fault(reason[0], fpd[0]);
        }
        long page = addr & ~0xfffL;
        if (useCaches) {
            long hit = iotlb.lookup(pe.did(), p, page);
            if (hit != VtdIotlb.MISS && (!write || (hit & 2) != 0)) {
                return new Translation(hit & ~0xfffL, (hit & 2) != 0, 0, pe.fpd(), pe.did());
            }
        }
        Translation t = walk(pe, addr, write);
        Trace.vtd("walk", sid, p, addr, t.ok() ? t.gpa() : t.reason());
        if (t.ok() && useCaches) {
            iotlb.insert(pe.did(), p, page, t.gpa() | 1 | (t.writable() ? 2 : 0));
        }
        return t;
    }

    /** The first-stage walk (C-10 … C-12): canonical check, each level's present, reserved, R/W and U/S bits, A/D updates. */
    private Translation walk(VtdPasidEntry pe, long addr, boolean write) {
        walks++;
        int width = pe.addrWidth();
        long high = addr >> (width - 1);
        if (high != 0 && high != -1L) {
            return Translation.fault(FR_FS_NON_CANONICAL, pe.fpd());
        }
        boolean[] ok = new boolean[1];
        long table = pe.fsptptr();
        boolean writable = true;
        boolean user = true;
        for (int level = pe.levels(); level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            long slot = table + ((addr >>> shift) & 0x1ff) * 8;
            long e = load(slot, ok);
            if (!ok[0]) {
                return Translation.fault(level == pe.levels() ? FR_FSPTPTR_INV : FR_FS_ENTRY_INV, pe.fpd());
            }
            if ((e & FS_P) == 0) {
                return Translation.fault(FR_FS_ENTRY_P, pe.fpd());
            }
            boolean leaf = level == 1 || ((level == 2 || level == 3) && (e & FS_PS) != 0);
            if ((e & FS_RSVD) != 0 || (level >= 4 && (e & FS_PS) != 0)) {
                return Translation.fault(FR_FS_ENTRY_RSVD, pe.fpd());
            }
            writable &= (e & FS_RW) != 0;
            user &= (e & FS_US) != 0;
            if (!user) {
                return Translation.fault(FR_FS_US, pe.fpd());
            }
            if (leaf && write && !writable) {
                return Translation.fault(FR_SM_WRITE, pe.fpd());
            }
            long updated = e | FS_A | (leaf && write ? FS_D : 0);
            if (updated != e && !store(slot, updated)) {
                return Translation.fault(FR_FS_BIT_UPDATE, pe.fpd());
            }
            if (leaf) {
                long pageMask = (1L << shift) - 1;
                long gpa = ((e & ADDR_MASK) & ~pageMask) | (addr & pageMask & ~0xfffL);
                return new Translation(gpa, writable, 0, pe.fpd(), pe.did());
            }
            table = e & ADDR_MASK;
        }
        return Translation.fault(FR_FS_ENTRY_P, pe.fpd());
    }

    /**
     * An emulated device's DMA with {@code pasid}: translated page by page, then moved to or from
     * guest memory; a fault is recorded (unless FPD) and nothing moves. True when all moved.
     */
    public boolean dma(int sid, int pasid, long addr, MemorySegment buffer, boolean write) {
        long len = buffer.byteSize();
        long[] gpas = new long[(int) (((addr & 0xfff) + len + 0xfff) >>> 12)];
        synchronized (this) {
            for (int i = 0; i < gpas.length; i++) {
                long a = i == 0 ? addr : (addr & ~0xfffL) + ((long) i << 12);
                Translation t = translate(sid, pasid, a, write, true);
                if (!t.ok()) {
                    recordFault(t, sid, pasid, a, write);
                    break;
                }
                gpas[i] = t.gpa() | 1;
            }
        }
        runAfter();
        for (long g : gpas) {
            if (g == 0) {
                return false;
            }
        }
        long done = 0;
        for (int i = 0; i < gpas.length; i++) {
            long off = i == 0 ? addr & 0xfff : 0;
            long n = Math.min(len - done, 4096 - off);
            GuestAddress ga = new GuestAddress((gpas[i] & ~0xfffL) + off);
            MemorySegment part = buffer.asSlice(done, n);
            if (write) {
                memory.write(ga, part);
            } else {
                memory.read(ga, part);
            }
            done += n;
        }
        return true;
    }

    // ------------------------------------------------------------------ faults

    private void recordFault(Translation t, int sid, int pasid, long addr, boolean write) {
        if (t.fpd()) {
            faultsSuppressed++;
            return;
        }
        int before = fsts | ((frcdHi & FRCD_F) != 0 ? FSTS_PPF : 0);
        if ((frcdHi & FRCD_F) != 0) {
            if ((fsts & FSTS_PFO) == 0) {
                fsts |= FSTS_PFO;
            }
            faultsOverflowed++;
            return;
        }
        frcdLo = addr & ~0xfffL;
        frcdHi = FRCD_F | (write ? 0 : FRCD_T) | ((long) t.reason() << 32) | (sid & 0xffff)
                | (pasid >= 0 ? FRCD_PP | ((long) (pasid & 0xf_ffff) << 40) : 0);
        faultsRecorded++;
        if (faultLog.size() == FAULT_LOG_SIZE) {
            faultLog.removeFirst();
        }
        faultLog.add(new Fault(t.reason(), sid, pasid, addr, write));
        Trace.vtd("fault", sid, pasid, addr, t.reason());
        if ((before & (FSTS_PFO | FSTS_PPF | FSTS_IQE)) == 0) {
            fectl = event(fectl, feaddr, fedata);
        }
    }

    /**
     * A host device's DMA with {@code pasid} at {@code addr} failed (its page request arrived on
     * the iommufd fault queue, or the seed's fault path): the IOMMU walks the guest's tables
     * afresh. Translatable now: {@code respond} gets SUCCESS (0) and the device retries. Otherwise
     * a first-stage fault of a device with page requests enabled goes to the guest's page request
     * queue (answered when the guest sends its page group response), and any other fault is
     * recorded (unless FPD) and answered INVALID (1).
     */
    public void hostFault(int sid, int pasid, long addr, boolean write, int prgi, IntConsumer respond) {
        int code = -1;
        synchronized (this) {
            Translation t = translate(sid, pasid, addr, write, false);
            if (t.ok()) {
                code = PGRESP_SUCCESS;
            } else if (t.reason() < FR_FS_ENTRY_INV || !queuePageRequest(sid, pasid, addr, write, prgi, respond)) {
                recordFault(t, sid, pasid, addr, write);
                code = PGRESP_INVALID;
            }
        }
        runAfter();
        if (code >= 0) {
            respond.accept(code);
        }
    }

    /** Appends a page request descriptor (C-23) when the device may send them; false when it may not. */
    private boolean queuePageRequest(int sid, int pasid, long addr, boolean write, int prgi, IntConsumer respond) {
        int[] reason = new int[1];
        long[] ctx = context(sid, reason);
        if (ctx == null || (ctx[0] & CTX_PRE) == 0 || (pqa & ADDR_MASK) == 0) {
            return false;
        }
        long size = 4096L << (pqa & 7);
        if (((pqt + 32) % size) == pqh) {
            prs |= PRS_PRO;
            after.add(() -> respond.accept(PGRESP_INVALID));
            return true;
        }
        long lo = PRD_TYPE | (pasid >= 0 ? PRD_PASID_PRESENT | ((long) (pasid & 0xf_ffff) << 32) : 0) | ((long) (sid & 0xffff) << 16);
        long hi = PRD_RD | (write ? PRD_WR : 0) | PRD_LPIG | ((long) (prgi & 0x1ff) << 3) | (addr & ~0xfffL);
        long at = (pqa & ADDR_MASK) + pqt;
        store(at, lo);
        store(at + 8, hi);
        store(at + 16, 0);
        store(at + 24, 0);
        pqt = (pqt + 32) % size;
        pageRequests++;
        Trace.vtd("page-request", sid, pasid, addr & ~0xfffL, prgi & 0x1ff);
        pending.put(sid << 16 | (prgi & 0x1ff), new PendingRequest(pasid, addr & ~0xfffL, respond));
        boolean wasPending = (prs & PRS_PPR) != 0;
        prs |= PRS_PPR;
        if (!wasPending) {
            pectl = event(pectl, peaddr, pedata);
        }
        return true;
    }

    // ------------------------------------------------------------------ invalidation queue

    private void drainQueue() {
        synchronized (drainLock) {
            long[] d = new long[4];
            while (true) {
                synchronized (this) {
                    if ((gsts & GSTS_QIES) == 0 || (fsts & FSTS_IQE) != 0 || iqh == iqt) {
                        break;
                    }
                    int dsize = dw256() ? 32 : 16;
                    long qsize = 4096L << (iqa & 7);
                    boolean[] ok = new boolean[1];
                    long at = (iqa & ADDR_MASK) + iqh;
                    for (int i = 0; i < dsize / 8; i++) {
                        d[i] = load(at + 8L * i, ok);
                    }
                    if (!descriptor(d)) {
                        fsts |= FSTS_IQE;
                        fectl = event(fectl, feaddr, fedata);
                    } else {
                        iqh = (iqh + dsize) % qsize;
                    }
                }
                runAfter();
            }
        }
        runAfter();
    }

    /** Handles one descriptor under the lock, queueing its effects in order; false when it is malformed. */
    private boolean descriptor(long[] d) {
        int type = (int) (d[0] & 0xf) | (int) ((d[0] >>> 5) & 0x70);
        descriptors++;
        if (type < 16) {
            descriptorsByType[type]++;
        }
        if (type == DESC_PIOTLB || type == DESC_PASIDC) {
            Trace.vtd("invalidate", -1, (int) (d[0] >>> 32) & 0xf_ffff, d[1] & ~0xfffL, type << 8 | (int) (d[0] >>> 4) & 3);
        }
        switch (type) {
            case DESC_WAIT -> {
                if ((d[0] & WAIT_SW) != 0) {
                    long addr = d[1] & ~3L;
                    int data = (int) (d[0] >>> 32);
                    after.add(() -> memory.write(new GuestAddress(addr), 4, data & 0xffff_ffffL));
                }
                if ((d[0] & WAIT_IF) != 0) {
                    ics |= ICS_IWC;
                    iectl = event(iectl, ieaddr, iedata);
                }
                return true;
            }
            case DESC_PIOTLB -> {
                if ((d[0] & PIOTLB_RSVD_LO) != 0 || (d[1] & PIOTLB_RSVD_HI) != 0) {
                    return false;
                }
                int g = (int) (d[0] >>> 4) & 3;
                int did = (int) (d[0] >>> 16) & 0xffff;
                int pasid = (int) (d[0] >>> 32) & 0xf_ffff;
                if (g == PIOTLB_G_PASID) {
                    iotlb.invalidatePasid(did, pasid);
                    forward(did, pasid, 0, -1L, false);
                } else if (g == PIOTLB_G_PAGE) {
                    int am = (int) (d[1] & 0x3f);
                    if (am > 9) {
                        return false; // above CAP.MAMV
                    }
                    long addr = d[1] & ~0xfffL & -(1L << (12 + am));
                    iotlb.invalidatePages(did, pasid, addr, 1L << am);
                    forward(did, pasid, addr, 1L << am, (d[1] & (1L << 6)) != 0);
                } else {
                    return false;
                }
                return true;
            }
            case DESC_PASIDC -> {
                int g = (int) (d[0] >>> 4) & 3;
                int did = (int) (d[0] >>> 16) & 0xffff;
                int pasid = (int) (d[0] >>> 32) & 0xf_ffff;
                if (g == 2) {
                    return false;
                }
                pasidCache.entrySet().removeIf(e -> g == PASIDC_G_GLOBAL || (e.getValue().did() == did
                        && (g == PASIDC_G_DOMAIN || (int) (long) e.getKey() == pasid)));
                syncBindings(g, did, pasid);
                return true;
            }
            case DESC_PGRESP -> {
                int rid = (int) (d[0] >>> 16) & 0xffff;
                int code = (int) (d[0] >>> 12) & 0xf;
                int prgi = (int) (d[1] >>> 3) & 0x1ff;
                PendingRequest p = pending.remove(rid << 16 | prgi);
                pageResponses++;
                Trace.vtd("page-response", rid, (int) (d[0] >>> 32) & 0xf_ffff, p == null ? -1 : p.page(), code);
                if (p != null) {
                    if (code == PGRESP_SUCCESS && p.pasid() >= 0) {
                        // C-25: the implicit invalidation of the page before the device retries
                        iotlb.invalidatePasidPage(p.pasid(), p.page());
                        VtdBackend b = backends.get(rid);
                        if (b != null) {
                            after.add(() -> backendCall(() -> b.invalidate(p.pasid(), p.page(), 1, false), "invalidate"));
                        }
                    }
                    int answer = code == PGRESP_SUCCESS ? 0 : 1;
                    after.add(() -> p.respond().accept(answer));
                }
                return true;
            }
            case DESC_CC, DESC_IOTLB, DESC_DEVTLB, DESC_IEC, DESC_PDEVTLB -> {
                if (type == DESC_IOTLB || type == DESC_CC) {
                    iotlb.clear();
                    pasidCache.clear();
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Forwards a PASID-IOTLB invalidation to every backend with that PASID bound in that domain (C-20). */
    private void forward(int did, int pasid, long addr, long npages, boolean leaf) {
        for (Map.Entry<Integer, VtdBackend> e : backends.entrySet()) {
            VtdBackend b = e.getValue();
            VtdPasidEntry pe = pasidCache.get((long) e.getKey() << 32 | pasid);
            if (b.bound().contains(pasid) && (pe == null || pe.did() == did)) {
                after.add(() -> backendCall(() -> b.invalidate(pasid, addr, npages, leaf), "invalidate PASID " + pasid));
            }
        }
    }

    /** After a PASID-cache invalidation: rereads the entries in scope for every backend device and binds or unbinds (B-26). */
    private void syncBindings(int g, int did, int pasid) {
        for (Map.Entry<Integer, VtdBackend> e : backends.entrySet()) {
            int sid = e.getKey();
            VtdBackend b = e.getValue();
            java.util.Set<Integer> candidates = new java.util.TreeSet<>(b.bound());
            int[] reason = new int[1];
            long[] ctx = (gsts & GSTS_TES) != 0 && (rtaddrLatched & RTADDR_SMT) != 0 ? context(sid, reason) : null;
            if (g == PASIDC_G_PASID) {
                candidates.add(pasid);
            } else if (ctx != null) {
                candidates.addAll(presentPasids(ctx));
            }
            for (int p : candidates) {
                if (g == PASIDC_G_PASID && p != pasid) {
                    continue;
                }
                boolean[] fpd = new boolean[1];
                VtdPasidEntry pe = ctx == null || p == 0 ? null : readPasidEntry(ctx, p, reason, fpd);
                if (pe != null && g != PASIDC_G_GLOBAL && pe.did() != did && !b.bound().contains(p)) {
                    continue;
                }
                if (pe != null) {
                    Trace.vtd("bind", sid, p, 0, pe.fsptptr());
                    pasidCache.put((long) sid << 32 | p, pe);
                    after.add(() -> backendCall(() -> b.bind(p, pe), "bind PASID " + p));
                } else if (b.bound().contains(p)) {
                    Trace.vtd("unbind", sid, p, 0, 0);
                    after.add(() -> backendCall(() -> b.unbind(p), "unbind PASID " + p));
                }
            }
        }
    }

    /** PASIDs whose entries are present, found through the present directory entries. */
    private List<Integer> presentPasids(long[] ctx) {
        List<Integer> out = new ArrayList<>();
        boolean[] ok = new boolean[1];
        int pdts = (int) (ctx[0] >>> 9) & 7;
        long dirEntries = 1L << (7 + pdts);
        for (long i = 0; i < dirEntries; i++) {
            long pde = load((ctx[0] & ADDR_MASK) + i * 8, ok);
            if (!ok[0] || (pde & PDE_P) == 0) {
                continue;
            }
            for (int j = 0; j < 64; j++) {
                long w0 = load((pde & ADDR_MASK) + j * 64L, ok);
                if (ok[0] && (w0 & PE_P) != 0) {
                    out.add((int) (i << 6 | j));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ counters

    /** First-stage walks the virtual IOMMU did (IOTLB misses and host-fault classifications). */
    public synchronized long walks() {
        return walks;
    }

    public VtdIotlb iotlb() {
        return iotlb;
    }

    public synchronized long faultsRecorded() {
        return faultsRecorded;
    }

    /** Faults not recorded because FPD was set for the PASID (C-14). */
    public synchronized long faultsSuppressed() {
        return faultsSuppressed;
    }

    /** Faults dropped because the fault register was full (FSTS.PFO). */
    public synchronized long faultsOverflowed() {
        return faultsOverflowed;
    }

    /** The faults recorded, oldest first (the last {@link #FAULT_LOG_SIZE}). */
    public synchronized List<Fault> faultLog() {
        return List.copyOf(faultLog);
    }

    public synchronized long pageRequests() {
        return pageRequests;
    }

    public synchronized long pageResponses() {
        return pageResponses;
    }

    /** Descriptors fetched from the invalidation queue. */
    public synchronized long descriptors() {
        return descriptors;
    }

    /** Descriptors of {@code type} fetched. */
    public synchronized long descriptors(int type) {
        return descriptorsByType[type];
    }

    /** What the backends refused (bind, unbind, invalidate), in order. */
    public synchronized List<String> backendErrors() {
        return List.copyOf(backendErrors);
    }
}
