package org.jvmm.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Prints address spaces the way QEMU's {@code info mtree} does: each tree with absolute ranges,
 * priorities and kinds (aliases show their target), then each region an alias reached that is not
 * in the tree itself, then the flattened view of every address space.
 */
public final class MemoryTreeFormatter {
    private MemoryTreeFormatter() {
    }

    public static String format(List<AddressSpace> spaces) {
        StringBuilder out = new StringBuilder();
        Set<MemoryRegion> inTrees = Collections.newSetFromMap(new IdentityHashMap<>());
        List<MemoryRegion> aliasTargets = new ArrayList<>();
        for (AddressSpace as : spaces) {
            out.append("address-space: ").append(as.name()).append('\n');
            tree(out, as.root(), 0, 1, inTrees, aliasTargets);
            out.append('\n');
        }
        Set<MemoryRegion> printed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (MemoryRegion target : aliasTargets) {
            if (!inTrees.contains(target) && printed.add(target)) {
                out.append("memory-region: ").append(target.name()).append('\n');
                tree(out, target, 0, 1, inTrees, new ArrayList<>());
                out.append('\n');
            }
        }
        for (int i = 0; i < spaces.size(); i++) {
            AddressSpace as = spaces.get(i);
            out.append("FlatView #").append(i).append('\n');
            out.append(" AS \"").append(as.name()).append("\", root: ").append(as.root().name()).append('\n');
            FlatView v = as.flatView();
            if (v.size() == 0) {
                out.append("  No rendered FlatView\n");
            }
            for (FlatRange r : v.ranges()) {
                out.append("  ").append(range(r.start(), r.size())).append(" (").append(r.region().kind())
                        .append("): ").append(r.region().name());
                if (r.offsetInRegion() != 0) {
                    out.append(" @").append(hex(r.offsetInRegion()));
                }
                out.append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void tree(StringBuilder out, MemoryRegion mr, long base, int depth, Set<MemoryRegion> inTrees,
            List<MemoryRegion> aliasTargets) {
        inTrees.add(mr);
        out.append("  ".repeat(depth)).append(range(base, mr.size())).append(" (prio ").append(mr.priority())
                .append(", ").append(mr.kind()).append("): ").append(mr.name());
        if (mr instanceof AliasRegion a) {
            out.append(" @").append(a.target().name()).append(' ').append(range(a.targetOffset(), a.size()));
            aliasTargets.add(a.target());
        }
        if (!mr.isEnabled()) {
            out.append(" [disabled]");
        }
        out.append('\n');
        if (mr instanceof ContainerRegion c) {
            List<MemoryRegion> subs = new ArrayList<>(c.subregions());
            subs.sort((x, y) -> x.offset() != y.offset() ? Long.compare(x.offset(), y.offset())
                    : Integer.compare(y.priority(), x.priority()));
            for (MemoryRegion sub : subs) {
                tree(out, sub, base + sub.offset(), depth + 1, inTrees, aliasTargets);
            }
        }
    }

    private static String range(long start, long size) {
        return hex(start) + "-" + hex(start + size - 1);
    }

    private static String hex(long v) {
        return String.format("%016x", v);
    }
}
