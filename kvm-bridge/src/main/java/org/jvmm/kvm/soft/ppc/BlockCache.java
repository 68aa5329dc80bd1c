package org.jvmm.kvm.soft.ppc;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Decoded blocks by start address: a direct-mapped table for the lookup on every block entry, and
 * per 4 KiB RAM page the list of live blocks decoded from it plus a "page holds code" flag that the
 * CPU's store path tests with one array load. A store into a flagged page drops exactly the blocks
 * whose bytes it overlaps; a block evicted from the table by a collision is dropped from its page
 * list too, so the lists stay bounded by the table size.
 *
 * <p>Invalidating a range costs what the range holds, not its size: the pages holding code are
 * also kept as a bit set, and a range is scanned 64 pages per word (nothing at all when no page
 * holds code, as when the VMM loads an image into fresh RAM).
 *
 * <p>Confined to the vCPU thread.
 */
final class BlockCache {
    static final int PAGE_SHIFT = 12;
    private static final int TABLE_BITS = 14;

    private final DecodedBlock[] table = new DecodedBlock[1 << TABLE_BITS];
    private final byte[] codePages;
    /** Per page, the live blocks decoded from it; null until the first one. */
    private final ArrayList<DecodedBlock>[] pageBlocks;
    /** Bit p set when page p holds a live block (codePages[p] != 0). */
    private final long[] codeBits;
    /** Pages holding a live block. */
    private int codePageCount;
    /**
     * The address range the translated store path tests before it looks at {@link #codePages}:
     * {@code [0]} is the lowest code page's address less 7 and {@code [1]} the span from there to
     * the end of the highest code page, so that a store of up to 8 bytes at EA can touch a code page
     * only if {@code EA - [0]} is below {@code [1]} (unsigned). It only grows while code is live
     * (a page emptied leaves it as it was) and is empty ({@code [1]} = 0) when no page holds code.
     * A program whose code and data lie apart thus pays one compare per store.
     */
    private final long[] codeRange = new long[2];
    /**
     * Counts the times {@link #codeRange} grew: a region bakes the range in as constants and is
     * good only while this count is the one it was made at (a range that shrank to empty is still
     * covered by the old one).
     */
    private int rangeGrowths;
    private long codeLowPage = Long.MAX_VALUE;
    private long codeEndPage;

    @SuppressWarnings("unchecked")
    BlockCache(long ramSize) {
        int pages = (int) ((ramSize + (1L << PAGE_SHIFT) - 1) >>> PAGE_SHIFT);
        codePages = new byte[pages];
        pageBlocks = (ArrayList<DecodedBlock>[]) new ArrayList<?>[pages];
        codeBits = new long[(pages + 63) >>> 6];
    }

    /** The flags array the CPU's store fast path reads: nonzero for a page holding decoded code. */
    byte[] codePages() {
        return codePages;
    }

    /** The range array the translated store path reads (see {@link #codeRange}). */
    long[] codeRange() {
        return codeRange;
    }

    /** How many times the code range grew (see {@link #rangeGrowths}). */
    int rangeGrowths() {
        return rangeGrowths;
    }

    private static int slot(long pc, boolean le) {
        return (int) ((pc >>> 2) ^ (pc >>> (2 + TABLE_BITS)) ^ (le ? 0x2aaa : 0)) & ((1 << TABLE_BITS) - 1);
    }

    DecodedBlock lookup(long pc, boolean le) {
        DecodedBlock b = table[slot(pc, le)];
        if (b != null && b.pc == pc && b.littleEndian == le) {
            return b;
        }
        return null;
    }

    void insert(DecodedBlock b) {
        int s = slot(b.pc, b.littleEndian);
        DecodedBlock old = table[s];
        if (old != null) {
            drop(old);
        }
        table[s] = b;
        int page = (int) (b.pc >>> PAGE_SHIFT);
        ArrayList<DecodedBlock> list = pageBlocks[page];
        if (list == null) {
            list = new ArrayList<>(4);
            pageBlocks[page] = list;
        }
        list.add(b);
        if (codePages[page] == 0) {
            codePages[page] = 1;
            codeBits[page >>> 6] |= 1L << page;
            codePageCount++;
            if (page < codeLowPage || page >= codeEndPage) {
                codeLowPage = Math.min(codeLowPage, page);
                codeEndPage = Math.max(codeEndPage, page + 1L);
                codeRange[0] = (codeLowPage << PAGE_SHIFT) - 7;
                codeRange[1] = ((codeEndPage - codeLowPage) << PAGE_SHIFT) + 7;
                rangeGrowths++;
            }
        }
    }

    private void pageEmptied(int page) {
        codePages[page] = 0;
        codeBits[page >>> 6] &= ~(1L << page);
        codePageCount--;
        if (codePageCount == 0) {
            codeLowPage = Long.MAX_VALUE;
            codeEndPage = 0;
            codeRange[0] = 0;
            codeRange[1] = 0;
        }
    }

    /** Pages holding decoded code now (for tests). */
    int codePageCount() {
        return codePageCount;
    }

    /**
     * Drops every block overlapping [start, start+length) of RAM; returns true if {@code running}
     * was among them.
     */
    boolean invalidate(long start, long length, DecodedBlock running) {
        if (codePageCount == 0) {
            return false;
        }
        boolean hit = false;
        int firstPage = (int) (start >>> PAGE_SHIFT);
        int lastPage = (int) Math.min((start + length - 1) >>> PAGE_SHIFT, codePages.length - 1L);
        for (int w = firstPage >>> 6; w <= lastPage >>> 6; w++) {
            long bits = codeBits[w];
            while (bits != 0) {
                int p = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (p < firstPage || p > lastPage) {
                    continue;
                }
                hit |= invalidatePage(p, start, length, running);
            }
        }
        return hit;
    }

    private boolean invalidatePage(int p, long start, long length, DecodedBlock running) {
        boolean hit = false;
        ArrayList<DecodedBlock> list = pageBlocks[p];
        for (int i = list.size() - 1; i >= 0; i--) {
            DecodedBlock b = list.get(i);
            if (b.overlaps(start, length)) {
                hit |= b == running;
                b.drop();
                int s = slot(b.pc, b.littleEndian);
                if (table[s] == b) {
                    table[s] = null;
                }
                list.remove(i);
            }
        }
        if (list.isEmpty()) {
            pageEmptied(p);
        }
        return hit;
    }

    /** Drops everything (isync, a new image, a byte-order switch the VMM asks for). */
    void clear() {
        for (DecodedBlock b : table) {
            if (b != null) {
                b.drop();
            }
        }
        Arrays.fill(table, null);
        for (int w = 0; w < codeBits.length; w++) {
            long bits = codeBits[w];
            while (bits != 0) {
                int p = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                for (DecodedBlock b : pageBlocks[p]) {
                    b.drop();
                }
                pageBlocks[p].clear();
                pageEmptied(p);
            }
        }
    }

    private void drop(DecodedBlock b) {
        b.drop();
        int page = (int) (b.pc >>> PAGE_SHIFT);
        ArrayList<DecodedBlock> list = pageBlocks[page];
        if (list != null) {
            list.remove(b);
            if (list.isEmpty() && codePages[page] != 0) {
                pageEmptied(page);
            }
        }
    }
}
