package org.jvmm.kvm.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The global descriptor table a 64-bit boot needs: a null descriptor, a flat 64-bit code segment
 * (selector 0x08) and a flat data segment (selector 0x10). The segments loaded into the vCPU are
 * the same {@link Segment}s the table is encoded from, so the hidden and in-memory state agree.
 */
public final class FlatGdt {
    public static final int CODE64_SELECTOR = 0x08;
    public static final int DATA_SELECTOR = 0x10;
    public static final Segment CODE64 = Segment.code64(CODE64_SELECTOR);
    public static final Segment DATA = Segment.data(DATA_SELECTOR);

    private FlatGdt() {
    }

    /** The table's entries, by index (selector / 8). */
    public static List<Long> entries() {
        return List.of(0L, descriptor(CODE64), descriptor(DATA));
    }

    /** The table as bytes, little endian. */
    public static byte[] bytes() {
        List<Long> entries = entries();
        ByteBuffer b = ByteBuffer.allocate(entries.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        entries.forEach(b::putLong);
        return b.array();
    }

    /** The GDTR limit: size in bytes minus one. */
    public static int limit() {
        return entries().size() * 8 - 1;
    }

    /**
     * Encodes a code or data segment as an 8-byte descriptor (Intel SDM vol. 3, 3.4.5). With G set
     * the limit is stored in 4 KiB units.
     */
    public static long descriptor(Segment s) {
        long limit = s.g() ? (s.limit() & 0xffff_ffffL) >>> 12 : s.limit() & 0xf_ffffL;
        long base = s.base() & 0xffff_ffffL;
        long d = limit & 0xffff;
        d |= (base & 0xff_ffffL) << 16;
        d |= (long) (s.type() & 0xf) << 40;
        d |= (s.s() ? 1L : 0) << 44;
        d |= (long) (s.dpl() & 3) << 45;
        d |= (s.present() ? 1L : 0) << 47;
        d |= ((limit >>> 16) & 0xf) << 48;
        d |= (s.avl() ? 1L : 0) << 52;
        d |= (s.l() ? 1L : 0) << 53;
        d |= (s.db() ? 1L : 0) << 54;
        d |= (s.g() ? 1L : 0) << 55;
        d |= ((base >>> 24) & 0xff) << 56;
        return d;
    }
}
