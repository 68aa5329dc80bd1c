package org.jvmm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.vfio.VfioDeviceFile;

/**
 * Little-endian register accesses through a VFIO device file at vfio-pci's offsets
 * ({@code region << 40 | offset}), each asserting the whole access was carried out.
 */
public final class DeviceFileAccess {
    private DeviceFileAccess() {
    }

    /** pread of {@code size} bytes at {@code at} in {@code region}, as an unsigned little-endian value. */
    public static long read(VfioDeviceFile dev, Arena arena, int region, long at, int size) {
        MemorySegment b = arena.allocate(size);
        assertEquals(size, dev.read((long) region << 40 | at, b));
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (b.get(ValueLayout.JAVA_BYTE, i) & 0xff);
        }
        return v;
    }

    /** pwrite of the low {@code size} bytes of {@code value}, little-endian, at {@code at} in {@code region}. */
    public static void write(VfioDeviceFile dev, Arena arena, int region, long at, int size, long value) {
        MemorySegment b = arena.allocate(size);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        assertEquals(size, dev.write((long) region << 40 | at, b));
    }
}
