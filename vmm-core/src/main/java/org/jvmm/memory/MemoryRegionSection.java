package org.jvmm.memory;

import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;

/**
 * What a {@link MemoryListener} is told of (QEMU's MemoryRegionSection): {@code size} bytes of
 * {@code region}, from {@code offsetWithinRegion}, appear in {@code addressSpace} at
 * {@code offsetWithinAddressSpace}.
 */
public record MemoryRegionSection(AddressSpace addressSpace, MemoryRegion region,
        GuestAddress offsetWithinAddressSpace, long offsetWithinRegion, long size) {

    static MemoryRegionSection of(AddressSpace as, FlatRange r) {
        return new MemoryRegionSection(as, r.region(), new GuestAddress(r.start()), r.offsetInRegion(), r.size());
    }

    public boolean isRam() {
        return region instanceof RamRegion;
    }

    public boolean isReadOnly() {
        return region instanceof RamRegion ram && ram.isReadOnly();
    }

    /** The host address of the section's first byte; only RAM sections have one. */
    public HostAddress hostAddress() {
        if (!(region instanceof RamRegion ram)) {
            throw new IllegalStateException("section of " + region + " at " + offsetWithinAddressSpace
                    + " is not RAM and has no host address");
        }
        return ram.hostAddress().plus(offsetWithinRegion);
    }

    /**
     * The largest part of the section made of whole {@code page}-sized pages, or null when it
     * holds none: what a memslot or an IOMMU mapping of it can cover (QEMU's kvm_align_section).
     */
    public MemoryRegionSection pageAligned(long page) {
        long start = (offsetWithinAddressSpace.value() + page - 1) & -page;
        long end = end().value() & -page;
        if (end <= start) {
            return null;
        }
        long skip = start - offsetWithinAddressSpace.value();
        return new MemoryRegionSection(addressSpace, region, new GuestAddress(start), offsetWithinRegion + skip,
                end - start);
    }

    /** The first address after the section. */
    public GuestAddress end() {
        return offsetWithinAddressSpace.plus(size);
    }

    @Override
    public String toString() {
        return region.name() + "@" + offsetWithinAddressSpace + "+0x" + Long.toHexString(size)
                + (offsetWithinRegion != 0 ? " (region offset 0x" + Long.toHexString(offsetWithinRegion) + ")" : "");
    }
}
