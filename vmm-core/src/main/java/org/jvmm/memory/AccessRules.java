package org.jvmm.memory;

/**
 * What accesses a device accepts and which it implements (QEMU's MemoryRegionOps.valid and .impl).
 * An access whose size is outside [validMin, validMax], or that is not aligned to its size while
 * {@code unalignedValid} is false, is refused: reads see all-ones, writes are dropped, and the
 * access is counted as invalid. A valid access is carried out with accesses of the implemented
 * sizes: a smaller one is widened to {@code implMin}, a larger one split into {@code implMax}
 * pieces, as QEMU's access_with_adjusted_size does.
 */
public record AccessRules(int validMin, int validMax, boolean unalignedValid, int implMin, int implMax,
        Endianness endianness) {

    public static final AccessRules DEFAULT = new AccessRules(1, 8, false, 1, 8, Endianness.LITTLE);

    public AccessRules {
        if (!isSize(validMin) || !isSize(validMax) || !isSize(implMin) || !isSize(implMax)
                || validMin > validMax || implMin > implMax) {
            throw new IllegalArgumentException("access rules: sizes must be 1, 2, 4 or 8 with min <= max (valid "
                    + validMin + "-" + validMax + ", impl " + implMin + "-" + implMax + ")");
        }
        if (endianness == null) {
            throw new IllegalArgumentException("access rules: endianness is required");
        }
    }

    /** Accesses of exactly {@code min..max} bytes, implemented the same, in {@code endianness}. */
    public static AccessRules of(int min, int max, Endianness endianness) {
        return new AccessRules(min, max, false, min, max, endianness);
    }

    /** True when an access of {@code size} at {@code offset} is one the device accepts. */
    public boolean accepts(long offset, int size) {
        return size >= validMin && size <= validMax && (unalignedValid || (offset & (size - 1)) == 0);
    }

    static boolean isSize(int s) {
        return s == 1 || s == 2 || s == 4 || s == 8;
    }
}
