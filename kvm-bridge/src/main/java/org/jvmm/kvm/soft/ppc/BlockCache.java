package org.jvmm.kvm.soft.ppc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decoded blocks by start address: a direct-mapped table for the lookup on every block entry, and
 * per 4 KiB RAM page the list of live blocks decoded from it plus a "page holds code" flag that the
 * CPU's store path tests with one array load. A store into a flagged page drops exactly the blocks
 * whose bytes it overlaps; a block evicted from the table by a collision is dropped from its page
 * list too, so the lists stay bounded by the table size.
 *
 * <p>Confined to the vCPU thread.
 */
final class BlockCache {
    static final int PAGE_SHIFT = 12;
    private static final int TABLE_BITS = 14;

    private final DecodedBlock[] table = new DecodedBlock[1 << TABLE_BITS];
    private final byte[] codePages;
    private final List<List<DecodedBlock>> pageBlocks;

    BlockCache(long ramSize) {
        int pages = (int) ((ramSize + (1L << PAGE_SHIFT) - 1) >>> PAGE_SHIFT);
        codePages = new byte[pages];
        pageBlocks = new ArrayList<>(pages);
        for (int i = 0; i < pages; i++) {
            pageBlocks.add(null);
        }
    }

    /** The flags array the CPU's store fast path reads: nonzero for a page holding decoded code. */
    byte[] codePages() {
        return codePages;
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
        List<DecodedBlock> list = pageBlocks.get(page);
        if (list == null) {
            list = new ArrayList<>(4);
            pageBlocks.set(page, list);
        }
        list.add(b);
        codePages[page] = 1;
    }

    /**
     * Drops every block overlapping [start, start+length) of RAM; returns true if {@code running}
     * was among them.
     */
    boolean invalidate(long start, long length, DecodedBlock running) {
        boolean hit = false;
        long firstPage = start >>> PAGE_SHIFT;
        long lastPage = Math.min((start + length - 1) >>> PAGE_SHIFT, codePages.length - 1L);
        for (long p = firstPage; p <= lastPage; p++) {
            List<DecodedBlock> list = pageBlocks.get((int) p);
            if (list == null) {
                continue;
            }
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
                codePages[(int) p] = 0;
            }
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
        for (int i = 0; i < pageBlocks.size(); i++) {
            List<DecodedBlock> list = pageBlocks.get(i);
            if (list != null) {
                for (DecodedBlock b : list) {
                    b.drop();
                }
                list.clear();
            }
        }
        Arrays.fill(codePages, (byte) 0);
    }

    private void drop(DecodedBlock b) {
        b.drop();
        List<DecodedBlock> list = pageBlocks.get((int) (b.pc >>> PAGE_SHIFT));
        if (list != null) {
            list.remove(b);
            if (list.isEmpty()) {
                codePages[(int) (b.pc >>> PAGE_SHIFT)] = 0;
            }
        }
    }
}
