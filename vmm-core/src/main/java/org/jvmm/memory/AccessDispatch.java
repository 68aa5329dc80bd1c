package org.jvmm.memory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.iommu.AccessKind;

/**
 * The access half of an {@link AddressSpace} (QEMU's address_space_dispatch and the
 * flatview_read/write loops): every load, store and bulk copy of one address space goes through
 * the {@link FlatView} published here.
 *
 * <p>RAM is loaded and stored directly in the machine's byte order; writes to ROM are dropped.
 * MMIO goes through the device's ops under its {@link AccessRules}: an access the device does not
 * accept reads all-ones and drops writes; a valid one is widened or split into implemented sizes
 * ({@link MmioAccess}) and byte-swapped when the device's order differs from the CPU's. An access
 * that hits nothing reads all-ones, drops the write, and is counted as unassigned. An access that
 * straddles two ranges is done byte by byte.
 *
 * <p>Every access learns its own outcome: a store and each MMIO piece return their
 * {@link MemTxResult}, so a bulk access's result depends on its own bytes only, never on what
 * other threads do meanwhile. The {@link DispatchCounters} are statistics, not a way to learn an
 * outcome.
 *
 * <p>Threads: any thread, without locking. The view is a volatile field that a commit replaces
 * whole ({@link #publish}, called with the topology lock held), so an access sees the old or the
 * new view, never a mix; a bulk access reads it once and finishes on it.
 */
final class AccessDispatch {
    private final ByteOrder cpuOrder;
    private final DispatchCounters counters = new DispatchCounters();
    private volatile FlatView view;

    AccessDispatch(ByteOrder cpuOrder, FlatView initial) {
        this.cpuOrder = cpuOrder;
        this.view = initial;
    }

    FlatView view() {
        return view;
    }

    void publish(FlatView next) {
        view = next;
    }

    DispatchCounters counters() {
        return counters;
    }

    // ---------------------------------------------------------------- single accesses

    long read(long a, int size) {
        checkSize(size);
        FlatView v = view;
        FlatRange r = v.lookup(a);
        if (r == null || a - r.start() > r.size() - size) {
            if (r == null && holeCovers(v, a, size)) {
                counters.unassignedReads.increment();
                return Bytes.mask(size);
            }
            return readStraddling(a, size);
        }
        long off = r.offsetInRegion() + (a - r.start());
        return switch (r.region()) {
            case RamRegion ram -> Bytes.load(ram.segment(), off, size, cpuOrder);
            case MmioRegion m -> mmioAccepts(m, off, size) ? mmioRead(m, off, size) : Bytes.mask(size);
            case IommuRegion io -> iommuRead(io, off, size);
            default -> throw nonTerminal(r);
        };
    }

    MemTxResult write(long a, int size, long value) {
        checkSize(size);
        FlatView v = view;
        FlatRange r = v.lookup(a);
        if (r == null || a - r.start() > r.size() - size) {
            if (r == null && holeCovers(v, a, size)) {
                counters.unassignedWrites.increment();
                return MemTxResult.DECODE_ERROR;
            }
            return writeStraddling(a, size, value);
        }
        long off = r.offsetInRegion() + (a - r.start());
        return switch (r.region()) {
            case RamRegion ram -> ramWrite(ram, off, size, value);
            case MmioRegion m -> mmioWrite(m, off, size, value);
            case IommuRegion io -> iommuWrite(io, off, size, value);
            default -> throw nonTerminal(r);
        };
    }

    private static IllegalStateException nonTerminal(FlatRange r) {
        return new IllegalStateException("flat view holds a non-terminal region " + r.region());
    }

    /**
     * True when no range starts inside (a, a + size): the whole access falls in a hole. Unsigned:
     * a hole at the top of the 2^64 space covers every access there, bytes past 2^64 included
     * (they read all-ones with the rest and never wrap to address 0).
     */
    private static boolean holeCovers(FlatView v, long a, int size) {
        long next = v.nextStart(a);
        return next == FlatView.NONE || Long.compareUnsigned(next - a, size) >= 0;
    }

    private long readStraddling(long a, int size) {
        long value = 0;
        boolean big = cpuOrder == ByteOrder.BIG_ENDIAN;
        for (int i = 0; i < size; i++) {
            long b = read(a + i, 1);
            value |= big ? b << ((size - 1 - i) * 8) : b << (i * 8);
        }
        return value;
    }

    private MemTxResult writeStraddling(long a, int size, long value) {
        boolean big = cpuOrder == ByteOrder.BIG_ENDIAN;
        MemTxResult result = MemTxResult.OK;
        for (int i = 0; i < size; i++) {
            long b = big ? value >>> ((size - 1 - i) * 8) : value >>> (i * 8);
            result = result.and(write(a + i, 1, b & 0xff));
        }
        return result;
    }

    private MemTxResult ramWrite(RamRegion ram, long off, int size, long value) {
        if (ram.isReadOnly()) {
            counters.romWritesDropped.increment();
        } else {
            Bytes.store(ram.segment(), off, size, value, cpuOrder);
        }
        return MemTxResult.OK; // a write to ROM is dropped silently, as on the bus
    }

    /** True when the device takes this access; else counts it as invalid (it reads all-ones, a write is dropped). */
    private boolean mmioAccepts(MmioRegion m, long off, int size) {
        if (m.rules().accepts(off, size)) {
            return true;
        }
        counters.invalidAccesses.increment();
        return false;
    }

    /** A read the device accepts. */
    private long mmioRead(MmioRegion m, long off, int size) {
        AccessRules rules = m.rules();
        counters.mmioReads.increment();
        ByteOrder devOrder = rules.endianness().resolve(cpuOrder);
        long value = MmioAccess.read(m.ops(), rules, devOrder, off, size);
        return devOrder == cpuOrder ? value : Bytes.swap(value, size);
    }

    private MemTxResult mmioWrite(MmioRegion m, long off, int size, long value) {
        if (!mmioAccepts(m, off, size)) {
            return MemTxResult.ACCESS_ERROR;
        }
        AccessRules rules = m.rules();
        counters.mmioWrites.increment();
        ByteOrder devOrder = rules.endianness().resolve(cpuOrder);
        long v = (devOrder == cpuOrder ? value : Bytes.swap(value, size)) & Bytes.mask(size);
        MmioAccess.write(m.ops(), rules, devOrder, off, size, v);
        return MemTxResult.OK;
    }

    private long iommuRead(IommuRegion io, long off, int size) {
        IommuTlbEntry e = io.translate(off, AccessKind.READ);
        if (!e.perm().allows(AccessKind.READ) || !fitsInPage(off, size, e.addrMask())) {
            counters.iommuFaults.increment();
            return Bytes.mask(size);
        }
        return io.target().dispatch().read(e.translated().value() | (off & e.addrMask()), size);
    }

    private MemTxResult iommuWrite(IommuRegion io, long off, int size, long value) {
        IommuTlbEntry e = io.translate(off, AccessKind.WRITE);
        if (!e.perm().allows(AccessKind.WRITE) || !fitsInPage(off, size, e.addrMask())) {
            counters.iommuFaults.increment();
            return MemTxResult.ACCESS_ERROR;
        }
        return io.target().dispatch().write(e.translated().value() | (off & e.addrMask()), size, value);
    }

    /**
     * True when {@code size} bytes at {@code off} stay in the translated page of {@code mask}
     * (unsigned, last byte inclusive: a mask of all ones is the whole 2^64 space).
     */
    private static boolean fitsInPage(long off, int size, long mask) {
        return Long.compareUnsigned(off & mask, mask - (size - 1)) <= 0;
    }

    private static void checkSize(int size) {
        if (!Bytes.isAccessSize(size)) {
            throw new IllegalArgumentException("memory access size " + size + " is not 1, 2, 4 or 8");
        }
    }

    // ---------------------------------------------------------------- bulk accesses

    MemTxResult bulk(long a, MemorySegment buf, boolean isWrite) {
        FlatView v = view;
        long len = buf.byteSize();
        long done = 0;
        MemTxResult result = MemTxResult.OK;
        while (done < len) {
            long cur = a + done;
            long remaining = len - done;
            FlatRange r = v.lookup(cur);
            if (r == null) {
                long next = v.nextStart(cur);
                long n = next == FlatView.NONE ? remaining : Math.min(remaining, next - cur);
                if (isWrite) {
                    counters.unassignedWrites.increment();
                } else {
                    buf.asSlice(done, n).fill((byte) 0xff);
                    counters.unassignedReads.increment();
                }
                result = result.and(MemTxResult.DECODE_ERROR);
                done += n;
                continue;
            }
            long n = Math.min(remaining, r.end() - cur);
            long off = r.offsetInRegion() + (cur - r.start());
            switch (r.region()) {
                case RamRegion ram -> {
                    if (!isWrite) {
                        MemorySegment.copy(ram.segment(), off, buf, done, n);
                    } else if (ram.isReadOnly()) {
                        counters.romWritesDropped.increment();
                    } else {
                        MemorySegment.copy(buf, done, ram.segment(), off, n);
                    }
                }
                case MmioRegion m -> result = result.and(bulkMmio(m, cur, off, buf, done, n, isWrite));
                case IommuRegion io -> result = result.and(bulkIommu(io, off, buf, done, n, isWrite));
                default -> throw nonTerminal(r);
            }
            done += n;
        }
        return result;
    }

    /**
     * MMIO in the largest naturally aligned pieces of at most 8 bytes (aligned on the guest
     * address {@code a}), each to the region found for the whole run; the result is this run's
     * own: ACCESS_ERROR when the device refused any piece.
     */
    private MemTxResult bulkMmio(MmioRegion m, long a, long off, MemorySegment buf, long bufOff, long n,
            boolean isWrite) {
        MemTxResult result = MemTxResult.OK;
        long k = 0;
        while (k < n) {
            int size = Bytes.alignedChunk(a + k, n - k, Bytes.MAX_ACCESS);
            if (isWrite) {
                result = result.and(mmioWrite(m, off + k, size, Bytes.load(buf, bufOff + k, size, cpuOrder)));
            } else if (mmioAccepts(m, off + k, size)) {
                Bytes.store(buf, bufOff + k, size, mmioRead(m, off + k, size), cpuOrder);
            } else {
                Bytes.store(buf, bufOff + k, size, Bytes.mask(size), cpuOrder);
                result = result.and(MemTxResult.ACCESS_ERROR);
            }
            k += size;
        }
        return result;
    }

    /** Through an IOMMU region, one translated page at a time. */
    private MemTxResult bulkIommu(IommuRegion io, long off, MemorySegment buf, long bufOff, long n, boolean isWrite) {
        MemTxResult result = MemTxResult.OK;
        AccessKind access = isWrite ? AccessKind.WRITE : AccessKind.READ;
        long k = 0;
        while (k < n) {
            IommuTlbEntry e = io.translate(off + k, access);
            long inPage = (off + k) & e.addrMask();
            // Bytes left in the page, minus one (the page may be the whole 2^64 space).
            long pageLast = e.addrMask() - inPage;
            long chunk = Long.compareUnsigned(pageLast, n - k - 1) >= 0 ? n - k : pageLast + 1;
            MemorySegment slice = buf.asSlice(bufOff + k, chunk);
            if (!e.perm().allows(access)) {
                counters.iommuFaults.increment();
                if (!isWrite) {
                    slice.fill((byte) 0xff);
                }
                result = result.and(MemTxResult.ACCESS_ERROR);
            } else {
                GuestAddress t = new GuestAddress(e.translated().value() | inPage);
                result = result.and(isWrite ? io.target().write(t, slice) : io.target().read(t, slice));
            }
            k += chunk;
        }
        return result;
    }
}
