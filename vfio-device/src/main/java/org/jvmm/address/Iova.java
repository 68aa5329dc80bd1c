package org.jvmm.address;

/**
 * An I/O virtual address: what a device puts on the bus, translated by an IOMMU.
 *
 * <p>The value is an unsigned 64-bit quantity held in a {@code long}; comparisons that must order
 * addresses use {@link Long#compareUnsigned}.
 */
public record Iova(long value) implements Comparable<Iova> {

    public static Iova of(long value) {
        return new Iova(value);
    }

    /** This address plus {@code offset} (wrapping, as the hardware does). */
    public Iova plus(long offset) {
        return new Iova(value + offset);
    }

    /** The distance from {@code base} to this address. */
    public long minus(Iova base) {
        return value - base.value;
    }

    /** True when {@code value} is a multiple of the power of two {@code alignment}. */
    public boolean isAligned(long alignment) {
        return (value & (alignment - 1)) == 0;
    }

    @Override
    public int compareTo(Iova other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(value);
    }
}
