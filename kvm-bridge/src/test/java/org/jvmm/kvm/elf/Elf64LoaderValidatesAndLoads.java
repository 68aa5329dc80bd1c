package org.jvmm.kvm.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.GuestWriter;
import org.jvmm.kvm.KvmTestSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ELF64 loader: what it accepts, where it puts bytes, and how it names what it refuses. */
class Elf64LoaderValidatesAndLoads {

    /** A minimal x86-64 ET_EXEC: one PT_LOAD of 16 file bytes (0x11..) + 16 bss bytes at paddr 0x2000. */
    private static byte[] tinyElf(Consumer<ByteBuffer> tweak) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2); // ET_EXEC
        b.putShort(18, (short) 62); // EM_X86_64
        b.putInt(20, 1);
        b.putLong(24, 0x400004); // e_entry: 4 bytes into the segment
        b.putLong(32, 64); // e_phoff
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) 1);
        int ph = 64;
        b.putInt(ph, 1); // PT_LOAD
        b.putInt(ph + 4, ElfSegment.PF_R | ElfSegment.PF_X);
        b.putLong(ph + 8, 120); // p_offset
        b.putLong(ph + 16, 0x400000); // p_vaddr
        b.putLong(ph + 24, 0x2000); // p_paddr
        b.putLong(ph + 32, 16); // p_filesz
        b.putLong(ph + 40, 32); // p_memsz
        for (int i = 0; i < 16; i++) {
            b.put(120 + i, (byte) (0x11 + i));
        }
        tweak.accept(b);
        return b.array();
    }

    private static String refusal(Consumer<ByteBuffer> tweak) {
        return assertThrows(ElfFormatException.class, () -> Elf64Image.parse(tinyElf(tweak), Elf64Image.EM_X86_64))
                .getMessage();
    }

    @Test
    @DisplayName("a valid image loads file bytes at p_paddr, zero-fills to p_memsz, entry translated to physical")
    void loadsSegmentAndZeroFillsBss() {
        Elf64Image image = Elf64Image.parse(tinyElf(b -> { }), Elf64Image.EM_X86_64);
        MemorySegment ram = MemorySegment.ofArray(new byte[0x4000]);
        ram.fill((byte) 0xee);

        GuestAddress entry = image.load(GuestWriter.of(GuestAddress.of(0), ram));

        assertEquals(GuestAddress.of(0x2004), entry);
        assertEquals(0x400004, image.entryVirtual());
        for (int i = 0; i < 16; i++) {
            assertEquals((byte) (0x11 + i), ram.get(ValueLayout.JAVA_BYTE, 0x2000 + i));
        }
        byte[] bss = ram.asSlice(0x2010, 16).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(new byte[16], bss);
        assertEquals((byte) 0xee, ram.get(ValueLayout.JAVA_BYTE, 0x2020), "nothing written past p_memsz");
        assertEquals((byte) 0xee, ram.get(ValueLayout.JAVA_BYTE, 0x1fff), "nothing written before p_paddr");
    }

    @Test
    @DisplayName("the committed 64-bit guest parses: entry 0x100000, loads at 1 MiB")
    void committedGuestParses() {
        Elf64Image image = Elf64Image.parse(KvmTestSupport.guestImage("guest64.elf"), Elf64Image.EM_X86_64);
        assertEquals(0x100000, image.entryVirtual());
        assertEquals(GuestAddress.of(0x100000), image.segments().get(0).physicalAddress());
    }

    @Test
    @DisplayName("a segment outside guest RAM is refused before any byte is written")
    void segmentOutsideRamLeavesMemoryUntouched() {
        Elf64Image image = Elf64Image.parse(tinyElf(b -> { }), Elf64Image.EM_X86_64);
        MemorySegment ram = MemorySegment.ofArray(new byte[0x2018]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> image.load(GuestWriter.of(GuestAddress.of(0), ram)));
        assertTrue(e.getMessage().contains("outside guest RAM"), e.getMessage());
        assertTrue(e.getMessage().contains("0x2000"), e.getMessage());
        assertArrayEquals(new byte[0x2018], ram.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void refusesShortFile() {
        String m = assertThrows(ElfFormatException.class, () -> Elf64Image.parse(new byte[10], Elf64Image.EM_X86_64))
                .getMessage();
        assertEquals("ELF: file of 10 bytes is shorter than the 64-byte ELF64 header", m);
    }

    @Test
    void refusesBadMagic() {
        assertEquals("ELF: bad magic 7f 45 4c 47, expected 7f 45 4c 46", refusal(b -> b.put(3, (byte) 'G')));
    }

    @Test
    void refuses32BitClass() {
        assertEquals("ELF: EI_CLASS is 1, expected 2 (ELFCLASS64)", refusal(b -> b.put(4, (byte) 1)));
    }

    @Test
    void refusesBigEndian() {
        assertEquals("ELF: EI_DATA is 2, expected 1 (ELFDATA2LSB (little endian))", refusal(b -> b.put(5, (byte) 2)));
    }

    @Test
    @DisplayName("EM_PPC64 takes ELFDATA2MSB too: header and program header read big-endian, bigEndian() says so")
    void ppc64BigEndianImageParses() {
        ByteBuffer le = ByteBuffer.wrap(tinyElf(x -> x.putShort(18, (short) Elf64Image.EM_PPC64))).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.allocate(le.capacity()).order(ByteOrder.BIG_ENDIAN);
        be.put(0, le.array(), 0, 16);
        be.put(5, (byte) 2); // ELFDATA2MSB
        be.putShort(16, le.getShort(16)).putShort(18, le.getShort(18)).putInt(20, le.getInt(20));
        be.putLong(24, le.getLong(24)).putLong(32, le.getLong(32));
        be.putShort(52, le.getShort(52)).putShort(54, le.getShort(54)).putShort(56, le.getShort(56));
        for (int at = 64; at < 64 + 56; at += 8) {
            if (at == 64) {
                be.putInt(64, le.getInt(64)).putInt(68, le.getInt(68));
            } else {
                be.putLong(at, le.getLong(at));
            }
        }
        be.put(120, le.array(), 120, 16);
        Elf64Image image = Elf64Image.parse(be.array(), Elf64Image.EM_PPC64);
        assertTrue(image.bigEndian());
        assertEquals(0x400004L, image.entryVirtual());
        assertEquals(0x2000L, image.segments().getFirst().physicalAddress().value());
        assertEquals(32L, image.segments().getFirst().memorySize());
        assertEquals(0x11, image.fileBytes(image.segments().getFirst())[0]);
        assertEquals(false, Elf64Image.parse(le.array(), Elf64Image.EM_PPC64).bigEndian());
        assertEquals("ELF: EI_DATA is 3, expected 1 or 2 (ELFDATA2LSB or ELFDATA2MSB)", assertThrows(ElfFormatException.class,
                () -> Elf64Image.parse(tinyElf(x -> x.putShort(18, (short) Elf64Image.EM_PPC64).put(5, (byte) 3)),
                        Elf64Image.EM_PPC64)).getMessage());
    }

    @Test
    void refusesSharedObject() {
        assertEquals("ELF: e_type is 3, expected 2 (ET_EXEC (a static executable))",
                refusal(b -> b.putShort(16, (short) 3)));
    }

    @Test
    void refusesOtherMachine() {
        assertEquals("ELF: e_machine is 21, expected 62 (EM_X86_64)", refusal(b -> b.putShort(18, (short) 21)));
    }

    @Test
    void refusesWrongProgramHeaderSize() {
        assertEquals("ELF: e_phentsize is 32, expected 56 (sizeof(Elf64_Phdr))", refusal(b -> b.putShort(54, (short) 32)));
    }

    @Test
    void refusesProgramHeadersBeyondTheFile() {
        assertEquals("ELF: program headers at e_phoff=0x78, 1 x 56 bytes, do not fit in the file of 136 bytes",
                refusal(b -> b.putLong(32, 120)));
    }

    @Test
    void refusesSegmentBytesBeyondTheFile() {
        String m = refusal(b -> b.putLong(64 + 32, 17));
        assertTrue(m.startsWith("ELF: PT_LOAD program header 0 (p_offset=0x78, p_paddr=0x2000, p_filesz=0x11"), m);
        assertTrue(m.endsWith("file bytes lie beyond the end of the file of 136 bytes"), m);
    }

    @Test
    void refusesFileSizeAboveMemorySize() {
        assertTrue(refusal(b -> b.putLong(64 + 40, 8)).endsWith("p_filesz is larger than p_memsz"));
    }

    @Test
    void refusesImageWithoutLoadableSegment() {
        assertEquals("ELF: none of the 1 program headers is PT_LOAD: nothing to load", refusal(b -> b.putInt(64, 4)));
    }

    @Test
    void refusesEntryOutsideEverySegment() {
        assertEquals("ELF: entry point e_entry=0x500000 lies in no PT_LOAD segment", refusal(b -> b.putLong(24, 0x500000)));
    }

    @Test
    void refusesWrappingSegment() {
        assertTrue(refusal(b -> {
            b.putLong(64 + 24, -16);
        }).endsWith("the segment wraps around the address space"));
    }

    @Test
    @DisplayName("the parser works on its own copy: changing the input afterwards changes nothing")
    void parserCopiesItsInput() {
        byte[] file = tinyElf(b -> { });
        Elf64Image image = Elf64Image.parse(file, Elf64Image.EM_X86_64);
        Arrays.fill(file, (byte) 0);
        MemorySegment ram = MemorySegment.ofArray(new byte[0x4000]);
        image.load(GuestWriter.of(GuestAddress.of(0), ram));
        assertEquals((byte) 0x11, ram.get(ValueLayout.JAVA_BYTE, 0x2000));
    }
}
