package org.jvmm.kvm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.GuestWriter;
import org.jvmm.kvm.ReservedRange;
import org.jvmm.kvm.elf.Elf64Image;
import org.jvmm.kvm.elf.ElfFormatException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The long-mode boot writes the GDT and the identity page tables after the image is loaded; an
 * image with a segment there would be overwritten and the guest would fault with nothing saying
 * why. The loader refuses it first, naming the segment and the range, before writing anything.
 * The ranges come from the boot code itself ({@link LongModeBoot#reservedRanges()}).
 */
class LongModeBootStructuresAreOffLimitsToTheImage {

    /** A GuestWriter over 1 MiB that records every write and zero fill as [address, length). */
    private static final class RecordingWriter implements GuestWriter {
        final List<long[]> writes = new ArrayList<>();

        @Override
        public void write(GuestAddress address, byte[] bytes) {
            writes.add(new long[] {address.value(), bytes.length});
        }

        @Override
        public void zero(GuestAddress address, long length) {
            writes.add(new long[] {address.value(), length});
        }

        @Override
        public void check(GuestAddress address, long length, String what) {
            if (Long.compareUnsigned(address.value() + length, 1 << 20) > 0) {
                throw new IllegalArgumentException(what + " outside RAM");
            }
        }
    }

    /** An x86-64 ET_EXEC with one PT_LOAD per {p_paddr, p_filesz, p_memsz}; p_vaddr = p_paddr + 0x4000_0000. */
    static byte[] elf(long[]... segments) {
        int phoff = 64;
        int data = phoff + 56 * segments.length;
        long fileBytes = 0;
        for (long[] s : segments) {
            fileBytes += s[1];
        }
        ByteBuffer b = ByteBuffer.allocate(data + (int) fileBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2);
        b.putShort(18, (short) Elf64Image.EM_X86_64);
        b.putInt(20, 1);
        b.putLong(24, segments[0][0] + 0x4000_0000L);
        b.putLong(32, phoff);
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) segments.length);
        long offset = data;
        for (int i = 0; i < segments.length; i++) {
            int ph = phoff + 56 * i;
            b.putInt(ph, 1);
            b.putInt(ph + 4, 5);
            b.putLong(ph + 8, offset);
            b.putLong(ph + 16, segments[i][0] + 0x4000_0000L);
            b.putLong(ph + 24, segments[i][0]);
            b.putLong(ph + 32, segments[i][1]);
            b.putLong(ph + 40, segments[i][2]);
            offset += segments[i][1];
        }
        return b.array();
    }

    private static String refusal(long[]... segments) {
        Elf64Image image = Elf64Image.parse(elf(segments), Elf64Image.EM_X86_64);
        RecordingWriter ram = new RecordingWriter();
        String message = assertThrows(ElfFormatException.class,
                () -> image.load(ram, LongModeBoot.standard().reservedRanges())).getMessage();
        assertEquals(List.of(), ram.writes, "nothing is written before the refusal");
        return message;
    }

    @Test
    @DisplayName("the reserved ranges are exactly the bytes writeTables writes: the GDT at 0x500 and the page tables from 0x9000 to 0xefff")
    void reservedRangesAreWhatTheBootWrites() {
        LongModeBoot boot = LongModeBoot.standard();
        RecordingWriter ram = new RecordingWriter();
        boot.writeTables(ram);
        List<ReservedRange> reserved = boot.reservedRanges();
        assertEquals(ram.writes.size(), reserved.size());
        for (int i = 0; i < reserved.size(); i++) {
            assertEquals(ram.writes.get(i)[0], reserved.get(i).start().value());
            assertEquals(ram.writes.get(i)[1], reserved.get(i).size());
        }
        assertEquals("the GDT [0x500, 0x517]", reserved.get(0).toString());
        assertEquals("the identity page tables [0x9000, 0xefff]", reserved.get(1).toString());
    }

    @Test
    void aSegmentOnTheGdtIsRefusedNamingSegmentAndRange() {
        assertEquals("ELF: PT_LOAD program header 1 (p_vaddr=0x40000400, p_paddr=0x400, p_memsz=0x200) overlaps "
                + "the GDT [0x500, 0x517], which the boot code writes after loading the image",
                refusal(new long[] {0x100000, 0x10, 0x10}, new long[] {0x400, 0x10, 0x200}));
    }

    @Test
    void aSegmentInsideThePageTablesIsRefused() {
        assertEquals("ELF: PT_LOAD program header 0 (p_vaddr=0x4000e000, p_paddr=0xe000, p_memsz=0x100) overlaps "
                + "the identity page tables [0x9000, 0xefff], which the boot code writes after loading the image",
                refusal(new long[] {0xe000, 0x100, 0x100}));
    }

    @Test
    @DisplayName("the zero-filled tail (p_memsz beyond p_filesz) counts: .bss reaching 0x9000 is refused")
    void aBssTailReachingThePageTablesIsRefused() {
        assertTrue(refusal(new long[] {0x8000, 0x10, 0x1001}).contains("overlaps the identity page tables [0x9000, 0xefff]"));
    }

    @Test
    @DisplayName("segments that touch the ranges' edges without overlapping load: [0x518, ..) and [.., 0x9000) and [0xf000, ..)")
    void segmentsBesideTheRangesLoad() {
        Elf64Image image = Elf64Image.parse(elf(new long[] {0x518, 0x10, 0x10}, new long[] {0x8000, 0x10, 0x1000},
                new long[] {0xf000, 0x10, 0x10}, new long[] {0x4f0, 0x10, 0x10}), Elf64Image.EM_X86_64);
        RecordingWriter ram = new RecordingWriter();
        assertEquals(GuestAddress.of(0x518), image.load(ram, LongModeBoot.standard().reservedRanges()));
        assertEquals(5, ram.writes.size(), "four segments and one zero-filled tail");
    }

    @Test
    @DisplayName("overlap is computed unsigned: ranges at the top of the address space neither wrap nor miss")
    void overlapIsUnsignedAtTheTopOfTheAddressSpace() {
        ReservedRange top = new ReservedRange("top", GuestAddress.of(0xffff_ffff_ffff_f000L), 0x1000);
        assertFalse(top.overlaps(GuestAddress.of(0x10), 0x10));
        assertFalse(top.overlaps(GuestAddress.of(0x7fff_ffff_ffff_f000L), 0x1000));
        assertTrue(top.overlaps(GuestAddress.of(0xffff_ffff_ffff_fff0L), 0x10));
        assertTrue(top.overlaps(GuestAddress.of(0x8000_0000_0000_0000L), 0x7fff_ffff_ffff_f001L));
        assertFalse(top.overlaps(GuestAddress.of(0xffff_ffff_ffff_f000L), 0));
        assertThrows(IllegalArgumentException.class, () -> new ReservedRange("wraps", GuestAddress.of(-0x1000), 0x1001));
    }
}
