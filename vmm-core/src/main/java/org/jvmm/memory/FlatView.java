package org.jvmm.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A region tree flattened into sorted, non-overlapping ranges of terminal regions (QEMU's
 * FlatView): higher priorities win, aliases are resolved, containers clip their subregions,
 * disabled regions are gone, and adjacent pieces of the same region are merged. Immutable; an
 * {@link AddressSpace} renders a new one on each commit and dispatches through the current one.
 *
 * <p>{@link #lookup(long)} is a binary search over a primitive array of starts: O(log n). Addresses
 * are unsigned 64-bit values and are compared unsigned: an address at or above 2^63 (a negative
 * {@code long}) is past every range. Regions are at most 2^63 - 1 bytes and the root sits at 0, so
 * every range lies below 2^63 and {@code start + size} never wraps.
 */
public final class FlatView {
    /** What {@link #nextStart} answers when no range starts after the address. */
    public static final long NONE = -1;

    private final long[] starts;
    private final long[] sizes;
    private final FlatRange[] ranges;

    private FlatView(List<FlatRange> sorted) {
        int n = sorted.size();
        starts = new long[n];
        sizes = new long[n];
        ranges = sorted.toArray(new FlatRange[0]);
        for (int i = 0; i < n; i++) {
            starts[i] = ranges[i].start();
            sizes[i] = ranges[i].size();
        }
    }

    /** Flattens the tree under {@code root}, which is placed at address 0. */
    public static FlatView render(MemoryRegion root) {
        TreeMap<Long, FlatRange> out = new TreeMap<>();
        render(out, root, 0, 0, root.size());
        return new FlatView(simplify(out));
    }

    private static void render(TreeMap<Long, FlatRange> out, MemoryRegion mr, long base, long clipStart, long clipEnd) {
        if (!mr.isEnabled()) {
            return;
        }
        long s = Math.max(base, clipStart);
        long e = Math.min(saturatingAdd(base, mr.size()), clipEnd);
        if (s >= e) {
            return;
        }
        switch (mr) {
            case AliasRegion a -> render(out, a.target(), base - a.targetOffset(), s, e);
            case ContainerRegion c -> {
                for (MemoryRegion sub : c.subregions()) {
                    render(out, sub, saturatingAdd(base, sub.offset()), s, e);
                }
            }
            case RamRegion r -> insertIntoGaps(out, s, e, r, base);
            case MmioRegion m -> insertIntoGaps(out, s, e, m, base);
            case IommuRegion i -> insertIntoGaps(out, s, e, i, base);
        }
    }

    /** Adds the parts of [s, e) that no range claimed yet: earlier (higher priority) claims win. */
    private static void insertIntoGaps(TreeMap<Long, FlatRange> out, long s, long e, MemoryRegion mr, long base) {
        long cur = s;
        Map.Entry<Long, FlatRange> before = out.floorEntry(cur);
        if (before != null && before.getValue().end() > cur) {
            cur = before.getValue().end();
        }
        while (cur < e) {
            Map.Entry<Long, FlatRange> next = out.ceilingEntry(cur);
            long gapEnd = next == null ? e : Math.min(e, next.getKey());
            if (gapEnd > cur) {
                out.put(cur, new FlatRange(cur, gapEnd - cur, mr, cur - base));
            }
            if (next == null || next.getKey() >= e) {
                break;
            }
            cur = next.getValue().end();
        }
    }

    private static List<FlatRange> simplify(TreeMap<Long, FlatRange> in) {
        List<FlatRange> out = new ArrayList<>(in.size());
        FlatRange prev = null;
        for (FlatRange r : in.values()) {
            if (prev != null && prev.region() == r.region() && prev.end() == r.start()
                    && prev.offsetInRegion() + prev.size() == r.offsetInRegion()) {
                prev = new FlatRange(prev.start(), prev.size() + r.size(), r.region(), prev.offsetInRegion());
                out.set(out.size() - 1, prev);
            } else {
                out.add(r);
                prev = r;
            }
        }
        return out;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return (r < a) ? Long.MAX_VALUE : r;
    }

    /** The range holding {@code address}, or null when nothing is mapped there. */
    public FlatRange lookup(long address) {
        int i = indexAtOrBefore(address);
        if (i < 0) {
            return null;
        }
        return Long.compareUnsigned(address - starts[i], sizes[i]) < 0 ? ranges[i] : null;
    }

    /** The start of the first range beginning after {@code address}, or {@link #NONE}. */
    public long nextStart(long address) {
        int i = indexAtOrBefore(address) + 1;
        return i < starts.length ? starts[i] : NONE;
    }

    /** Index of the last range starting at or before {@code address}, or -1. */
    private int indexAtOrBefore(long address) {
        long[] s = starts;
        int n = s.length;
        if (n == 0) {
            return -1;
        }
        // Branch-free halving (a conditional move per step, no mispredicted branch): base stays
        // the last index known to start at or before address, or 0 when none is yet.
        int base = 0;
        long key = address ^ Long.MIN_VALUE; // unsigned order as signed order
        while (n > 1) {
            int half = n >>> 1;
            base = (s[base + half] ^ Long.MIN_VALUE) <= key ? base + half : base;
            n -= half;
        }
        return (s[base] ^ Long.MIN_VALUE) <= key ? base : -1;
    }

    public int size() {
        return ranges.length;
    }

    public FlatRange get(int index) {
        return ranges[index];
    }

    /** The ranges in address order. */
    public List<FlatRange> ranges() {
        return Arrays.asList(ranges.clone());
    }
}
