package org.jvmm.pci;

/**
 * One implemented base address register of a function: its index (0-5), size (a power of two),
 * kind and, for memory BARs, whether it is prefetchable. A 64-bit memory BAR uses index and
 * index + 1.
 */
public record BarSpec(int index, long size, Kind kind, boolean prefetchable) {

    /** The BAR's address space and width. */
    public enum Kind { IO, MEM32, MEM64 }

    public BarSpec {
        if (index < 0 || index > 5 || (kind == Kind.MEM64 && index == 5)) {
            throw new IllegalArgumentException("BAR index " + index + " invalid for " + kind);
        }
        long min = kind == Kind.IO ? 4 : 16;
        if (size < min || Long.bitCount(size) != 1 || (kind == Kind.MEM32 && size > 0x8000_0000L)
                || (kind == Kind.IO && size > 0x10000)) {
            throw new IllegalArgumentException("BAR" + index + " size 0x" + Long.toHexString(size)
                    + " is not a power of two in range for " + kind);
        }
    }

    public static BarSpec mem32(int index, long size) {
        return new BarSpec(index, size, Kind.MEM32, false);
    }

    public static BarSpec mem64(int index, long size, boolean prefetchable) {
        return new BarSpec(index, size, Kind.MEM64, prefetchable);
    }

    public boolean isMemory() {
        return kind != Kind.IO;
    }

    /** The read-only low bits of the BAR register (space, type, prefetch). */
    public int flagBits() {
        return switch (kind) {
            case IO -> 0x1;
            case MEM32 -> prefetchable ? 0x8 : 0x0;
            case MEM64 -> 0x4 | (prefetchable ? 0x8 : 0x0);
        };
    }
}
