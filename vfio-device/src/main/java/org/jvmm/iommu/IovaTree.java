package org.jvmm.iommu;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered map from unsigned 64-bit IOVA to a value, built for the mapping sets of TYPE1 and
 * an iommufd IOAS: sorted blocks of at most {@value #BLOCK} primitive keys under a sorted array
 * of block heads. A lookup is two binary searches over small contiguous arrays (no boxing, few
 * cache misses); an insert or remove moves at most one block's worth of entries, splitting a
 * full block in two and dropping an empty one. With 65,535 entries that is ~512 blocks.
 *
 * <p>Keys are stored with the sign bit flipped so that signed comparison orders them unsigned.
 * Not thread-safe: its owner guards it (TYPE1 and an iommufd IOAS with their read-write locks).
 * {@link IovaSpans} adds the overlap queries both ask of a set of non-overlapping mappings.
 */
public class IovaTree<V> {
    static final int BLOCK = 128;

    private static final class Block {
        final long[] keys = new long[BLOCK];
        final Object[] values = new Object[BLOCK];
        int n;
    }

    private Block[] blocks = new Block[16];
    private long[] heads = new long[16];
    private int nblocks;
    private int size;

    private static long flip(long key) {
        return key ^ Long.MIN_VALUE;
    }

    public final int size() {
        return size;
    }

    /** Index of the last block whose head is <= fk, or -1 (branch-free binary search). */
    private int blockFor(long fk) {
        int n = nblocks;
        if (n == 0 || heads[0] > fk) {
            return -1;
        }
        long[] h = heads;
        int base = 0;
        while (n > 1) {
            int half = n >>> 1;
            base = h[base + half] <= fk ? base + half : base;
            n -= half;
        }
        return base;
    }

    /** Index of the last key <= fk in b; b.keys[0] <= fk is assumed (branch-free binary search). */
    private static int floorIndex(Block b, long fk) {
        long[] k = b.keys;
        int n = b.n;
        int base = 0;
        while (n > 1) {
            int half = n >>> 1;
            base = k[base + half] <= fk ? base + half : base;
            n -= half;
        }
        return k[base] <= fk ? base : base - 1;
    }

    /** The value with the greatest key <= {@code key} (unsigned), or null. */
    @SuppressWarnings("unchecked")
    public final V floor(long key) {
        long fk = flip(key);
        int bi = blockFor(fk);
        if (bi < 0) {
            return null;
        }
        Block b = blocks[bi];
        return (V) b.values[floorIndex(b, fk)];
    }

    /** The value with the least key >= {@code key} (unsigned), or null. */
    @SuppressWarnings("unchecked")
    public final V ceiling(long key) {
        long fk = flip(key);
        int bi = blockFor(fk);
        if (bi < 0) {
            return nblocks == 0 ? null : (V) blocks[0].values[0];
        }
        Block b = blocks[bi];
        int i = floorIndex(b, fk);
        if (b.keys[i] == fk) {
            return (V) b.values[i];
        }
        if (i + 1 < b.n) {
            return (V) b.values[i + 1];
        }
        return bi + 1 < nblocks ? (V) blocks[bi + 1].values[0] : null;
    }

    /** The value with the least key > {@code key} (unsigned), or null. */
    public final V higher(long key) {
        return key == -1L ? null : ceiling(key + 1);
    }

    /** Adds {@code key}, which must not be present. */
    public final void put(long key, V value) {
        long fk = flip(key);
        if (nblocks == 0) {
            insertBlock(0, new Block());
        }
        int bi = Math.max(0, blockFor(fk));
        Block b = blocks[bi];
        if (b.n == BLOCK) {
            Block right = new Block();
            int half = BLOCK / 2;
            System.arraycopy(b.keys, half, right.keys, 0, BLOCK - half);
            System.arraycopy(b.values, half, right.values, 0, BLOCK - half);
            java.util.Arrays.fill(b.values, half, BLOCK, null);
            right.n = BLOCK - half;
            b.n = half;
            insertBlock(bi + 1, right);
            if (fk >= right.keys[0]) {
                bi++;
                b = right;
            }
        }
        int at = b.n == 0 || b.keys[0] > fk ? 0 : floorIndex(b, fk) + 1;
        if (at > 0 && b.keys[at - 1] == fk) {
            throw new IllegalStateException("IOVA 0x" + Long.toHexString(key) + " is already present");
        }
        System.arraycopy(b.keys, at, b.keys, at + 1, b.n - at);
        System.arraycopy(b.values, at, b.values, at + 1, b.n - at);
        b.keys[at] = fk;
        b.values[at] = value;
        b.n++;
        heads[bi] = b.keys[0];
        size++;
    }

    /** Removes {@code key}; returns its value, or null when absent. */
    @SuppressWarnings("unchecked")
    public final V remove(long key) {
        long fk = flip(key);
        int bi = blockFor(fk);
        if (bi < 0) {
            return null;
        }
        Block b = blocks[bi];
        int i = floorIndex(b, fk);
        if (b.keys[i] != fk) {
            return null;
        }
        V old = (V) b.values[i];
        System.arraycopy(b.keys, i + 1, b.keys, i, b.n - i - 1);
        System.arraycopy(b.values, i + 1, b.values, i, b.n - i - 1);
        b.n--;
        b.values[b.n] = null;
        size--;
        if (b.n == 0) {
            removeBlock(bi);
        } else {
            heads[bi] = b.keys[0];
        }
        return old;
    }

    public final void clear() {
        blocks = new Block[16];
        heads = new long[16];
        nblocks = 0;
        size = 0;
    }

    /** The values in key order. */
    @SuppressWarnings("unchecked")
    public final List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int bi = 0; bi < nblocks; bi++) {
            Block b = blocks[bi];
            for (int i = 0; i < b.n; i++) {
                out.add((V) b.values[i]);
            }
        }
        return out;
    }

    private void insertBlock(int at, Block b) {
        if (nblocks == blocks.length) {
            blocks = java.util.Arrays.copyOf(blocks, nblocks * 2);
            heads = java.util.Arrays.copyOf(heads, nblocks * 2);
        }
        System.arraycopy(blocks, at, blocks, at + 1, nblocks - at);
        System.arraycopy(heads, at, heads, at + 1, nblocks - at);
        blocks[at] = b;
        heads[at] = b.n > 0 ? b.keys[0] : Long.MIN_VALUE;
        nblocks++;
    }

    private void removeBlock(int at) {
        System.arraycopy(blocks, at + 1, blocks, at, nblocks - at - 1);
        System.arraycopy(heads, at + 1, heads, at, nblocks - at - 1);
        nblocks--;
        blocks[nblocks] = null;
    }
}
