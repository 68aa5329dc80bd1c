package org.jvmm.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A node of the memory tree: a named range of {@link #size()} bytes that some container places at
 * an offset with a priority. The kinds are fixed: {@link RamRegion}, {@link MmioRegion},
 * {@link AliasRegion}, {@link ContainerRegion} and {@link IommuRegion}.
 *
 * <p>A region sits in at most one container. Placement ({@link #offset()}, {@link #priority()},
 * {@link #isEnabled()}) changes under the topology lock; every change tells each
 * {@link AddressSpace} whose tree holds the region (through containers and aliases), which rebuilds
 * its FlatView at once or at the end of its open transaction.
 */
public abstract sealed class MemoryRegion permits RamRegion, MmioRegion, AliasRegion, ContainerRegion, IommuRegion {
    private final String name;
    private final long size;

    private ContainerRegion container;
    private long offset;
    private int priority;
    private boolean enabled = true;
    private long insertionOrder;

    /** Aliases whose target this region is: a change here changes them too. */
    private final List<AliasRegion> aliasedBy = new ArrayList<>();
    /** Address spaces whose root this region is. */
    private final List<AddressSpace> rootOf = new ArrayList<>();

    MemoryRegion(String name, long size) {
        this.name = Objects.requireNonNull(name, "name");
        if (size <= 0) {
            throw new IllegalArgumentException("memory region " + name + ": size 0x" + Long.toHexString(size)
                    + " must be positive (and below 2^63)");
        }
        this.size = size;
    }

    public final String name() {
        return name;
    }

    public final long size() {
        return size;
    }

    /** The container this region is placed in, or null when it is a root or not placed. */
    public final ContainerRegion container() {
        return container;
    }

    /** Offset of the region inside its container. */
    public final long offset() {
        return offset;
    }

    public final int priority() {
        return priority;
    }

    public final boolean isEnabled() {
        return enabled;
    }

    /** The word {@code info mtree} prints for this kind: ram, rom, i/o, alias, container, iommu. */
    public abstract String kind();

    /**
     * Shows or hides the region (QEMU's memory_region_set_enabled): a disabled region and its
     * subregions take no part in the flat view. A PCI BAR is disabled while decode is off.
     */
    public final void setEnabled(boolean enabled) {
        Topology.lock();
        try {
            if (this.enabled != enabled) {
                checkMutable();
                this.enabled = enabled;
                changed();
            }
        } finally {
            Topology.unlock();
        }
    }

    /** Moves the region inside its container (QEMU's memory_region_set_address). */
    public final void setOffset(long offset) {
        Topology.lock();
        try {
            if (container == null) {
                throw new IllegalStateException("memory region " + name + " set offset 0x" + Long.toHexString(offset)
                        + ": the region is in no container");
            }
            if (this.offset != offset) {
                container.move(this, offset);
            }
        } finally {
            Topology.unlock();
        }
    }

    void place(ContainerRegion parent, long offset, int priority, long order) {
        this.container = parent;
        this.offset = offset;
        this.priority = priority;
        this.insertionOrder = order;
    }

    void unplace() {
        this.container = null;
        this.offset = 0;
        this.priority = 0;
    }

    void setOffsetInternal(long offset) {
        this.offset = offset;
    }

    long insertionOrder() {
        return insertionOrder;
    }

    void addAlias(AliasRegion alias) {
        aliasedBy.add(alias);
    }

    void attachRoot(AddressSpace as) {
        rootOf.add(as);
    }

    void detachRoot(AddressSpace as) {
        rootOf.remove(as);
    }

    /** True when this region is, or contains through containers and aliases, {@code other}. */
    boolean reaches(MemoryRegion other) {
        return reaches(other, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    boolean reaches(MemoryRegion other, Set<MemoryRegion> seen) {
        if (this == other) {
            return true;
        }
        if (!seen.add(this)) {
            return false;
        }
        if (this instanceof ContainerRegion c) {
            for (MemoryRegion sub : c.subregions()) {
                if (sub.reaches(other, seen)) {
                    return true;
                }
            }
        } else if (this instanceof AliasRegion a) {
            return a.target().reaches(other, seen);
        }
        return false;
    }

    /** Tells every address space that can see this region that the tree changed. */
    final void changed() {
        for (AddressSpace as : addressSpaces()) {
            as.topologyChanged();
        }
    }

    /**
     * Refuses a change while an address space that sees this region is telling its listeners of
     * an earlier one; called before any change is made, so a refused change leaves nothing behind.
     */
    final void checkMutable() {
        for (AddressSpace as : addressSpaces()) {
            as.checkNotNotifying();
        }
    }

    private Set<AddressSpace> addressSpaces() {
        Set<AddressSpace> spaces = Collections.newSetFromMap(new IdentityHashMap<>());
        collectAddressSpaces(spaces, Collections.newSetFromMap(new IdentityHashMap<>()));
        return spaces;
    }

    final void collectAddressSpaces(Set<AddressSpace> out, Set<MemoryRegion> seen) {
        if (!seen.add(this)) {
            return;
        }
        out.addAll(rootOf);
        if (container != null) {
            container.collectAddressSpaces(out, seen);
        }
        for (AliasRegion a : aliasedBy) {
            a.collectAddressSpaces(out, seen);
        }
    }

    @Override
    public String toString() {
        return kind() + " " + name + " [size 0x" + Long.toHexString(size) + "]";
    }
}
