package org.jvmm.address.bytes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The one way to move a sized value in and out of bytes (the role of rust-vmm vm-memory's
 * {@code Bytes}): a load or store of 1, 2, 4 or 8 bytes at an offset of a {@link MemorySegment}
 * in a given byte order, unaligned, zero-extended on load. Guest RAM, a VFIO region's byte
 * stream (little-endian, PCI bus order), a KVM exit's data bytes and a device's BAR memory all go
 * through here, so nobody writes a switch on the access size.
 *
 * <p>A size other than 1, 2, 4 or 8 is a bug in the caller and is answered with an
 * {@link IllegalArgumentException} naming it; callers that take a size from a guest check it
 * first ({@link #isAccessSize}). Stateless and thread-safe.
 */
public final class Bytes {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The largest single access, in bytes. */
    public static final int MAX_ACCESS = 8;

    private Bytes() {
    }

    /** True for the access sizes a bus carries in one go: 1, 2, 4 and 8 bytes. */
    public static boolean isAccessSize(int size) {
        return size == 1 || size == 2 || size == 4 || size == 8;
    }

    /** The {@code size} low bytes set: {@code 0xff} for 1, all ones for 8 (an all-ones read). */
    public static long mask(int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }

    /** Loads {@code size} bytes at {@code off} of {@code s} in {@code order}, zero-extended. */
    public static long load(MemorySegment s, long off, int size, ByteOrder order) {
        boolean big = order == ByteOrder.BIG_ENDIAN;
        return switch (size) {
            case 1 -> s.get(ValueLayout.JAVA_BYTE, off) & 0xffL;
            case 2 -> s.get(big ? BE_SHORT : LE_SHORT, off) & 0xffffL;
            case 4 -> s.get(big ? BE_INT : LE_INT, off) & 0xffff_ffffL;
            case 8 -> s.get(big ? BE_LONG : LE_LONG, off);
            default -> throw badSize(size);
        };
    }

    /** Stores the low {@code size} bytes of {@code value} at {@code off} of {@code s} in {@code order}. */
    public static void store(MemorySegment s, long off, int size, long value, ByteOrder order) {
        boolean big = order == ByteOrder.BIG_ENDIAN;
        switch (size) {
            case 1 -> s.set(ValueLayout.JAVA_BYTE, off, (byte) value);
            case 2 -> s.set(big ? BE_SHORT : LE_SHORT, off, (short) value);
            case 4 -> s.set(big ? BE_INT : LE_INT, off, (int) value);
            case 8 -> s.set(big ? BE_LONG : LE_LONG, off, value);
            default -> throw badSize(size);
        }
    }

    /** {@link #load} in little-endian order: a PCI region's byte stream. */
    public static long loadLe(MemorySegment s, long off, int size) {
        return load(s, off, size, ByteOrder.LITTLE_ENDIAN);
    }

    /** {@link #store} in little-endian order: a PCI region's byte stream. */
    public static void storeLe(MemorySegment s, long off, int size, long value) {
        store(s, off, size, value, ByteOrder.LITTLE_ENDIAN);
    }

    /** The low {@code size} bytes of {@code value} in the other byte order. */
    public static long swap(long value, int size) {
        return switch (size) {
            case 1 -> value & 0xffL;
            case 2 -> Short.reverseBytes((short) value) & 0xffffL;
            case 4 -> Integer.reverseBytes((int) value) & 0xffff_ffffL;
            case 8 -> Long.reverseBytes(value);
            default -> throw badSize(size);
        };
    }

    /**
     * The largest naturally aligned access of at most {@code max} bytes (a power of two) at
     * address {@code at} that fits in the {@code left} bytes still to move (unsigned; at least 1).
     * A run of bytes is moved as a device would see it from a CPU's string copy: 8-byte pieces
     * where aligned, smaller ones at the edges.
     */
    public static int alignedChunk(long at, long left, int max) {
        int size = max;
        while (size > 1 && ((at & (size - 1)) != 0 || Long.compareUnsigned(size, left) > 0)) {
            size >>= 1;
        }
        return size;
    }

    private static IllegalArgumentException badSize(int size) {
        return new IllegalArgumentException("access size " + size + " is not 1, 2, 4 or 8");
    }
}
