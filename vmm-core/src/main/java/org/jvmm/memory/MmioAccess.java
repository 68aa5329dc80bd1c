package org.jvmm.memory;

import java.nio.ByteOrder;
import org.jvmm.address.bytes.Bytes;

/**
 * Carries out one valid access with the sizes a device implements (QEMU's
 * access_with_adjusted_size): the access size is clamped to [implMin, implMax]; a larger access is
 * made of several device accesses at increasing offsets, combined in the device's byte order; a
 * smaller one becomes one device access of implMin bytes at the same offset, of which the low
 * bytes (little-endian device) or the leading bytes (big-endian device) are kept.
 */
final class MmioAccess {
    private MmioAccess() {
    }

    static long read(MmioOps ops, AccessRules rules, ByteOrder devOrder, long off, int size) {
        int access = Math.max(Math.min(size, rules.implMax()), rules.implMin());
        if (access == size) {
            return ops.read(off, size) & mask(size);
        }
        long accessMask = mask(access);
        boolean big = devOrder == ByteOrder.BIG_ENDIAN;
        long value = 0;
        for (int i = 0; i < size; i += access) {
            long piece = ops.read(off + i, access) & accessMask;
            int shift = big ? (size - access - i) * 8 : i * 8;
            value |= shift >= 0 ? piece << shift : piece >>> -shift;
        }
        return value & mask(size);
    }

    static void write(MmioOps ops, AccessRules rules, ByteOrder devOrder, long off, int size, long value) {
        int access = Math.max(Math.min(size, rules.implMax()), rules.implMin());
        if (access == size) {
            ops.write(off, size, value);
            return;
        }
        long accessMask = mask(access);
        boolean big = devOrder == ByteOrder.BIG_ENDIAN;
        for (int i = 0; i < size; i += access) {
            int shift = big ? (size - access - i) * 8 : i * 8;
            long piece = (shift >= 0 ? value >>> shift : value << -shift) & accessMask;
            ops.write(off + i, access, piece);
        }
    }

    private static long mask(int size) {
        return Bytes.mask(size);
    }
}
