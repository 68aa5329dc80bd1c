package org.jvmm.pci.host;

import org.jvmm.address.Iova;

/** An inclusive IOVA range [start, end], as the IOVA_RANGE capability reports it. */
public record IovaRange(long start, long end) {
    public IovaRange {
        if (Long.compareUnsigned(start, end) > 0) {
            throw new IllegalArgumentException("IOVA range start 0x" + Long.toHexString(start) + " > end 0x"
                    + Long.toHexString(end));
        }
    }

    /** True when [first, last] lies inside this range (unsigned). */
    public boolean contains(long first, long last) {
        return Long.compareUnsigned(first, start) >= 0 && Long.compareUnsigned(last, end) <= 0;
    }

    public boolean contains(Iova iova) {
        return contains(iova.value(), iova.value());
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + "]";
    }
}
