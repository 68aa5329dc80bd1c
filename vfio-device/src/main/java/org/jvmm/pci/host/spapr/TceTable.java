package org.jvmm.pci.host.spapr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmm.address.Iova;

/**
 * One hardware TCE table (Linux struct iommu_table): the translation behind one DMA window of a
 * PE. Entry {@code i} (counted from {@link #offset()}, in IOMMU pages) translates bus address
 * {@code i << pageShift}; it is a big-endian 64-bit TCE holding the real page address with the
 * permission bits {@link #TCE_READ} and {@link #TCE_WRITE} (arch/powerpc/include/asm/tce.h).
 * Beside it the table keeps the user-space address each entry was built from (the
 * {@code it_userspace} cache of v2 containers and KVM), so clearing an entry can drop the
 * reference on its pre-registered region.
 *
 * <p>Thread rules: entries are written by one owner at a time (the VFIO container's lock, or
 * KVM's table lock on the hypercall fast path) and read lock-free by device DMA, with
 * release/acquire ordering; {@link #writes()} counts the writes so that a reader can tell whether
 * the entries it read were one view of the table. {@link #owner()} tells who may write it.
 */
public final class TceTable {
    /** TCE_PCI_READ: the device may read the page. */
    public static final long TCE_READ = 1;
    /** TCE_PCI_WRITE: the device may write the page. */
    public static final long TCE_WRITE = 2;
    /** The permission bits of a TCE. */
    public static final long TCE_PERMS = 3;

    /**
     * The entries' accesses: a long[]'s, each entry stored big-endian (byte-reversed on a
     * little-endian host). A big-endian memory layout's element handle would do the same, but making
     * one costs some 10 ms of a machine's start (measured), and machines start often.
     */
    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(long[].class);
    private static final boolean SWAP = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final int pageShift;
    private final long offset;
    private final long size;
    private final int levels;
    /** The entries, big-endian in memory: a zero test needs no byte order. */
    private final long[] raw;
    /** {@link #raw}'s bytes, as hardware would read them. */
    private final MemorySegment entries;
    private final long[] userspace;
    private final Object owner;
    private final AtomicLong writes = new AtomicLong();

    /**
     * A zeroed table of {@code size} entries for the window starting at bus page {@code offset}.
     *
     * @param owner who created it (the platform, or a VFIO container), for ownership checks
     */
    public TceTable(int pageShift, long offset, long size, int levels, Object owner) {
        if (pageShift < 12 || pageShift > 40 || size <= 0 || size > Integer.MAX_VALUE || offset < 0) {
            throw new IllegalArgumentException("TCE table: page shift " + pageShift + ", offset 0x" + Long.toHexString(offset)
                    + ", size 0x" + Long.toHexString(size));
        }
        this.pageShift = pageShift;
        this.offset = offset;
        this.size = size;
        this.levels = levels;
        this.raw = new long[(int) size];
        this.entries = MemorySegment.ofArray(raw);
        this.userspace = new long[(int) size];
        this.owner = owner;
    }

    public int pageShift() {
        return pageShift;
    }

    public long pageSize() {
        return 1L << pageShift;
    }

    /** it_offset: the window's first bus page. */
    public long offset() {
        return offset;
    }

    /** it_size: entries in the table. */
    public long size() {
        return size;
    }

    public int levels() {
        return levels;
    }

    public Object owner() {
        return owner;
    }

    /** The window's first bus address. */
    public Iova busStart() {
        return new Iova(offset << pageShift);
    }

    /** The window's size in bytes. */
    public long windowSize() {
        return size << pageShift;
    }

    /** Bytes of memory the table itself takes (it_allocated_size), rounded up to 4 KiB. */
    public long allocatedBytes() {
        return (size * 8 + 4095) & ~4095L;
    }

    /** True when bus page {@code entry} (absolute, offset included) is in this window. */
    public boolean containsEntry(long entry) {
        return Long.compareUnsigned(entry - offset, size) < 0;
    }

    /** True when bus address {@code ioba} is in this window. */
    public boolean contains(long ioba) {
        return containsEntry(ioba >>> pageShift);
    }

    /** The TCE of absolute entry {@code entry} (0 when never written). */
    public long get(long entry) {
        return bigEndian((long) ENTRY.getAcquire(raw, index(entry)));
    }

    /**
     * The first absolute entry in [{@code from}, {@code to}) whose TCE is not 0, or -1 when there
     * is none: a plain scan of the entries (a window's teardown and replay visit only these).
     */
    public long nextNonZero(long from, long to) {
        int end = (int) (Math.min(to - offset, size));
        for (int i = (int) Math.max(from - offset, 0); i < end; i++) {
            if (raw[i] != 0) {
                return offset + i;
            }
        }
        return -1;
    }

    /** Writes the TCE of absolute entry {@code entry} and returns the old one (iommu_tce_xchg). */
    public long xchg(long entry, long tce) {
        long old = bigEndian((long) ENTRY.getAndSetRelease(raw, index(entry), bigEndian(tce)));
        writes.incrementAndGet(); // after the entry: see writes()
        return old;
    }

    /** The index in {@link #raw} of absolute entry {@code entry}, which must be in this window. */
    private int index(long entry) {
        long i = entry - offset;
        if (Long.compareUnsigned(i, size) >= 0) {
            throw new IndexOutOfBoundsException("TCE entry 0x" + Long.toHexString(entry) + " is outside the table's 0x"
                    + Long.toHexString(offset) + "+0x" + Long.toHexString(size));
        }
        return (int) i;
    }

    /** {@code v} with its bytes in big-endian order in memory (swapped on a little-endian host), and back. */
    private static long bigEndian(long v) {
        return SWAP ? Long.reverseBytes(v) : v;
    }

    /**
     * Entry writes completed so far. Each write counts after its entry is stored, so a reader that
     * reads this, then some entries, then this again and gets the same number read those entries
     * as they all were at one instant (any write it may have seen was still in progress).
     */
    public long writes() {
        return writes.get();
    }

    /** The user address entry {@code entry} was built from, or 0. */
    public long userAddress(long entry) {
        return userspace[(int) (entry - offset)];
    }

    public void setUserAddress(long entry, long ua) {
        userspace[(int) (entry - offset)] = ua;
    }

    /** The entries' raw big-endian bytes (entry 0 first), for tests that read the table as hardware would. */
    public byte[] rawBytes(long firstEntry, int count) {
        return entries.asSlice((firstEntry - offset) * 8, count * 8L).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public String toString() {
        return "TceTable[bus 0x" + Long.toHexString(offset << pageShift) + "+0x" + Long.toHexString(windowSize())
                + ", page shift " + pageShift + ", levels " + levels + "]";
    }
}
