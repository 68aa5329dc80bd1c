package org.jvmm.address.bytes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Bytes}: sized loads and stores in a given byte order, and the aligned split of a run. */
class BytesMovesSizedValuesInTheGivenOrder {

    private static byte at(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    @Test
    @DisplayName("a store puts the low bytes least significant first (little-endian) or most significant first (big-endian)")
    void storesLayOutBytesInTheGivenOrder() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16);
            Bytes.store(s, 1, 4, 0x1122_3344_5566_7788L, ByteOrder.LITTLE_ENDIAN); // unaligned
            assertEquals((byte) 0x88, at(s, 1));
            assertEquals((byte) 0x55, at(s, 4));
            assertEquals(0, at(s, 5), "only 4 bytes are stored");
            Bytes.store(s, 8, 2, 0xabcd, ByteOrder.BIG_ENDIAN);
            assertEquals((byte) 0xab, at(s, 8));
            assertEquals((byte) 0xcd, at(s, 9));
        }
    }

    @Test
    @DisplayName("a load is zero-extended and reads back what a store of the same size and order wrote")
    void loadsAreZeroExtendedRoundTrips() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (int size : new int[] {1, 2, 4, 8}) {
                    long value = 0xf1e2_d3c4_b5a6_9788L & Bytes.mask(size);
                    Bytes.store(s, 3, size, value, order);
                    assertEquals(value, Bytes.load(s, 3, size, order), size + " bytes " + order);
                }
            }
            Bytes.storeLe(s, 0, 8, 0x0102_0304_0506_0708L);
            assertEquals(0x0807_0605_0403_0201L, Bytes.load(s, 0, 8, ByteOrder.BIG_ENDIAN));
            assertEquals(0x0708L, Bytes.loadLe(s, 0, 2));
        }
    }

    @Test
    @DisplayName("swap reverses the low size bytes; mask is the size's all-ones read")
    void swapAndMask() {
        assertEquals(0x3412L, Bytes.swap(0xffff_1234L, 2));
        assertEquals(0x7856_3412L, Bytes.swap(0x1234_5678L, 4));
        assertEquals(0x0807_0605_0403_0201L, Bytes.swap(0x0102_0304_0506_0708L, 8));
        assertEquals(0xffL, Bytes.mask(1));
        assertEquals(0xffff_ffffL, Bytes.mask(4));
        assertEquals(-1L, Bytes.mask(8));
    }

    @Test
    @DisplayName("a size other than 1, 2, 4 or 8 is refused, naming the size")
    void otherSizesAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Bytes.load(s, 0, 3, ByteOrder.LITTLE_ENDIAN));
            assertEquals("access size 3 is not 1, 2, 4 or 8", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Bytes.store(s, 0, 16, 0, ByteOrder.BIG_ENDIAN));
            assertTrue(Bytes.isAccessSize(8));
            assertFalse(Bytes.isAccessSize(0));
        }
    }

    @Test
    @DisplayName("a run splits into the largest naturally aligned pieces that fit: 1, 2, 4, 8, 8, 4, 2, 1 for 30 bytes at 0x1001")
    void alignedChunksOfARun() {
        long at = 0x1001;
        long left = 30;
        StringBuilder pieces = new StringBuilder();
        while (left > 0) {
            int n = Bytes.alignedChunk(at, left, Bytes.MAX_ACCESS);
            pieces.append(n).append(' ');
            at += n;
            left -= n;
        }
        assertEquals("1 2 4 8 8 4 2 1 ", pieces.toString());
        assertEquals(4, Bytes.alignedChunk(0x100, 16, 4), "the cap (config space moves at most 4 bytes)");
        assertEquals(8, Bytes.alignedChunk(-8L, 8, 8), "an address near 2^64 is aligned like any other");
    }
}
