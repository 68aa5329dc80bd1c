package org.jvmm.memory;

/**
 * One piece of a {@link FlatView}: guest addresses [start, start + size) go to offset
 * {@code offsetInRegion} of {@code region}, which is always a terminal region (RAM, MMIO or IOMMU).
 */
public record FlatRange(long start, long size, MemoryRegion region, long offsetInRegion) {

    /** The first address after the range. */
    public long end() {
        return start + size;
    }

    boolean sameAs(FlatRange o) {
        return start == o.start && size == o.size && region == o.region && offsetInRegion == o.offsetInRegion;
    }
}
