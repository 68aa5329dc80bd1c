package org.jvmm.iommufd;

import static org.jvmm.iommufd.StructCodec.u32;
import static org.jvmm.iommufd.StructCodec.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.iommufd.IommufdStructs.AttachPt;
import org.jvmm.iommufd.IommufdStructs.DetachPt;
import org.jvmm.iommufd.IommufdStructs.HwInfo;
import org.jvmm.iommufd.IommufdStructs.HwptAlloc;
import org.jvmm.iommufd.IommufdStructs.IoasCopy;
import org.jvmm.iommufd.IommufdStructs.Pgfault;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StructCodec: a record round-trips through its struct, u8 and padding as the header has them, and a layout that does not match the record is refused")
class StructCodecPairsHeaderFieldsWithRecordComponents {

    record Pair(int argsz, long userVa) {
    }

    record Two(int argsz, int flags) {
    }

    private static MemorySegment filled(int n) {
        MemorySegment s = MemorySegment.ofArray(new byte[n]);
        s.fill((byte) 0xff);
        return s;
    }

    @Test
    void recordsRoundTripThroughTheirStructs() {
        HwptAlloc h = new HwptAlloc(48, 0xf, 2, 3, 4, 5, 1, 24, -2L, 9, 7);
        MemorySegment s = filled(HwptAlloc.SIZE);
        h.encode(s);
        assertEquals(h, HwptAlloc.decode(s));
        IoasCopy c = IoasCopy.of(3, 1, 2, 0x2000, Long.MIN_VALUE, -4096L);
        MemorySegment cs = filled(IoasCopy.SIZE);
        c.encode(cs);
        assertEquals(c, IoasCopy.decode(cs));
        Pgfault p = new Pgfault(-1, 1, 0xfffff, 7, 2, 0, -1L, 4096, Integer.MIN_VALUE);
        MemorySegment ps = filled(Pgfault.SIZE);
        p.encode(ps);
        assertEquals(p, Pgfault.decode(ps));
    }

    @Test
    @DisplayName("iommu_hw_info: out_max_pasid_log2 is one unsigned byte, __reserved[3] after it encodes as zeros")
    void u8DecodesUnsignedAndPaddingEncodesAsZeros() {
        MemorySegment s = filled(HwInfo.SIZE);
        new HwInfo(40, 0, 1, 24, 0, 1, 200, 6).encode(s);
        assertEquals((byte) 200, s.get(ValueLayout.JAVA_BYTE, 28));
        assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 29));
        assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 30));
        assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 31));
        assertEquals(200, HwInfo.decode(s).outMaxPasidLog2());
    }

    @Test
    @DisplayName("attach/detach with argsz at minsz (no PASID field): pasid decodes as 0")
    void shortAttachAndDetachReadPasidZero() {
        MemorySegment a = filled(AttachPt.MINSZ);
        a.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 12);
        a.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
        a.set(ValueLayout.JAVA_INT_UNALIGNED, 8, 5);
        assertEquals(new AttachPt(12, 0, 5, 0), AttachPt.decode(a));
        MemorySegment d = filled(DetachPt.MINSZ);
        d.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 8);
        d.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
        assertEquals(new DetachPt(8, 0, 0), DetachPt.decode(d));
    }

    @Test
    @DisplayName("a u64 off an 8-byte offset, a field named unlike its component, or a missing field is refused when the codec is built")
    void mismatchedLayoutsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(Pair.class, u32("argsz"), u64("user_va")));
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(Two.class, u32("argsz"), u32("flagz")));
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(Two.class, u32("argsz")));
        assertThrows(IllegalArgumentException.class, () -> StructCodec.of(Two.class, u32("argsz"), u64("flags")));
        assertEquals(16, StructCodec.of(Pair.class, u32("argsz"), StructCodec.pad(4), u64("user_va")).size());
    }
}
