package org.jvmm.address;

/**
 * A guest-physical address: what the guest's CPU puts on its memory bus.
 *
 * <p>The value is an unsigned 64-bit quantity held in a {@code long}; comparisons that must order
 * addresses use {@link Long#compareUnsigned}.
 */
public record GuestAddress(long value) implements Comparable<GuestAddress> {

    public static GuestAddress of(long value) {
        return new GuestAddress(value);
    }

    /** This address plus {@code offset} (wrapping, as the hardware does). */
    public GuestAddress plus(long offset) {
        return new GuestAddress(value + offset);
    }

    /** The distance from {@code base} to this address. */
    public long minus(GuestAddress base) {
        return value - base.value;
    }

    /** True when {@code value} is a multiple of the power of two {@code alignment}. */
    public boolean isAligned(long alignment) {
        return (value & (alignment - 1)) == 0;
    }

    @Override
    public int compareTo(GuestAddress other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(value);
    }
}
