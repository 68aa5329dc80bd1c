package org.jvmm.address;

/**
 * A host virtual address in this process: what KVM memslots and VFIO MAP_DMA take as userspace_addr / vaddr.
 *
 * <p>The value is an unsigned 64-bit quantity held in a {@code long}; comparisons that must order
 * addresses use {@link Long#compareUnsigned}.
 */
public record HostAddress(long value) implements Comparable<HostAddress> {

    public static HostAddress of(long value) {
        return new HostAddress(value);
    }

    /** This address plus {@code offset} (wrapping, as the hardware does). */
    public HostAddress plus(long offset) {
        return new HostAddress(value + offset);
    }

    /** The distance from {@code base} to this address. */
    public long minus(HostAddress base) {
        return value - base.value;
    }

    /** True when {@code value} is a multiple of the power of two {@code alignment}. */
    public boolean isAligned(long alignment) {
        return (value & (alignment - 1)) == 0;
    }

    @Override
    public int compareTo(HostAddress other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(value);
    }
}
