package org.jvmm.kvm;

import java.util.Objects;
import org.jvmm.address.GuestAddress;

/**
 * A range of guest RAM that boot code fills after the image is loaded (for the x86 long-mode boot:
 * the GDT and the identity page tables, {@link org.jvmm.kvm.x86.LongModeBoot#reservedRanges()}):
 * an image that loads there would be overwritten, so the loader refuses it.
 *
 * @param name what the boot code puts there, e.g. "the GDT"
 * @param start the first guest-physical address
 * @param size bytes, unsigned; the range never wraps past 2^64
 */
public record ReservedRange(String name, GuestAddress start, long size) {

    public ReservedRange {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
        if (size == 0 || Long.compareUnsigned(size, -start.value()) > 0 && start.value() != 0) {
            throw new IllegalArgumentException("reserved range " + name + " at " + start + ": size 0x"
                    + Long.toHexString(size) + " is empty or wraps past the top of the address space");
        }
    }

    /** True when [address, address + length) shares a byte with this range (unsigned; empty never does). */
    public boolean overlaps(GuestAddress address, long length) {
        if (length == 0) {
            return false;
        }
        long a = address.value();
        long s = start.value();
        // [a, a+length) and [s, s+size) meet when a - s < size (a at or above s) or s - a < length (s above a)
        return Long.compareUnsigned(a - s, size) < 0 || Long.compareUnsigned(s - a, length) < 0;
    }

    /** The last byte's address (inclusive). */
    public GuestAddress last() {
        return start.plus(size - 1);
    }

    @Override
    public String toString() {
        return name + " [" + start + ", " + last() + "]";
    }
}
