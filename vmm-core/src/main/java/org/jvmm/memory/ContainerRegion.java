package org.jvmm.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A region that only holds others (QEMU's memory_region_init container). Subregions may overlap;
 * where they do, the higher priority wins, and between equal priorities the one added later wins,
 * as in QEMU's memory_region_update_container_subregions. Parts of a subregion outside the
 * container are clipped away. Changes take the topology lock (see the package comment).
 */
public final class ContainerRegion extends MemoryRegion {
    /** Highest priority first; at equal priority the most recently added first. */
    private static final Comparator<MemoryRegion> RENDER_ORDER = (a, b) -> {
        int c = Integer.compare(b.priority(), a.priority());
        return c != 0 ? c : Long.compare(b.insertionOrder(), a.insertionOrder());
    };

    private final List<MemoryRegion> subregions = new ArrayList<>();
    private long nextOrder;

    public ContainerRegion(String name, long size) {
        super(name, size);
    }

    @Override
    public String kind() {
        return "container";
    }

    /** Places {@code region} at {@code offset} with priority 0. */
    public void addSubregion(long offset, MemoryRegion region) {
        addSubregion(offset, region, 0);
    }

    /**
     * Places {@code region} at {@code offset} with {@code priority} (QEMU's
     * memory_region_add_subregion_overlap).
     *
     * @throws IllegalStateException if the region already sits in a container, or placing it would
     *     make the tree contain itself
     */
    public void addSubregion(long offset, MemoryRegion region, int priority) {
        Topology.lock();
        try {
            if (region.container() != null) {
                throw new IllegalStateException("container " + name() + " add subregion " + region.name() + " at 0x"
                        + Long.toHexString(offset) + ": it already sits in container " + region.container().name());
            }
            if (offset < 0) {
                throw new IllegalArgumentException("container " + name() + " add subregion " + region.name()
                        + ": offset 0x" + Long.toHexString(offset) + " is negative");
            }
            if (region.reaches(this)) {
                throw new IllegalStateException("container " + name() + " add subregion " + region.name()
                        + ": the subregion contains the container (a cycle)");
            }
            checkMutable();
            region.place(this, offset, priority, nextOrder++);
            subregions.add(region);
            subregions.sort(RENDER_ORDER);
            changed();
        } finally {
            Topology.unlock();
        }
    }

    /** Takes {@code region} out of this container. */
    public void removeSubregion(MemoryRegion region) {
        Topology.lock();
        try {
            if (region.container() != this || !subregions.contains(region)) {
                throw new IllegalStateException("container " + name() + " remove subregion " + region.name()
                        + ": it is not a subregion of this container");
            }
            checkMutable();
            subregions.remove(region);
            region.unplace();
            changed();
        } finally {
            Topology.unlock();
        }
    }

    void move(MemoryRegion region, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("memory region " + region.name() + " set offset 0x"
                    + Long.toHexString(offset) + ": negative");
        }
        checkMutable();
        region.setOffsetInternal(offset);
        changed();
    }

    /** The subregions in rendering order: highest priority first, later-added first among equals. */
    public List<MemoryRegion> subregions() {
        return Collections.unmodifiableList(subregions);
    }
}
