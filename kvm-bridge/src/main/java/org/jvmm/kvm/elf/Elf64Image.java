package org.jvmm.kvm.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.GuestWriter;
import org.jvmm.kvm.ReservedRange;

/**
 * A validated ELF64 executable (ET_EXEC) for one machine: its PT_LOAD segments and its entry
 * point. Little-endian for every machine; big-endian too for {@link #EM_PPC64}, whose kernels come
 * in both byte orders ({@link #bigEndian}). Every header field the loader relies on is checked, and a refusal names the
 * field, the value found and the value expected (System V gABI, "ELF Header" and "Program Header").
 *
 * <p>Immutable; thread-safe.
 */
public final class Elf64Image {
    public static final int EM_PPC64 = 21;
    public static final int EM_X86_64 = 62;
    static final int EHDR_SIZE = 64;
    static final int PHDR_SIZE = 56;
    static final int PT_LOAD = 1;
    static final int ET_EXEC = 2;

    private final byte[] bytes;
    private final long entry;
    private final List<ElfSegment> segments;
    private final boolean bigEndian;

    private Elf64Image(byte[] bytes, long entry, List<ElfSegment> segments, boolean bigEndian) {
        this.bytes = bytes;
        this.entry = entry;
        this.segments = segments;
        this.bigEndian = bigEndian;
    }

    /**
     * Parses and validates {@code file} as an executable for {@code machine} (e.g. {@link #EM_X86_64}).
     *
     * @throws ElfFormatException naming the first field that is wrong
     */
    public static Elf64Image parse(byte[] file, int machine) {
        byte[] bytes = file.clone();
        if (bytes.length < EHDR_SIZE) {
            throw new ElfFormatException("ELF: file of " + bytes.length + " bytes is shorter than the 64-byte ELF64 header");
        }
        if (bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new ElfFormatException("ELF: bad magic " + hex(Arrays.copyOf(bytes, 4)) + ", expected 7f 45 4c 46");
        }
        expect("EI_CLASS", bytes[4], 2, "ELFCLASS64");
        boolean big = machine == EM_PPC64 && bytes[5] == 2;
        if (machine == EM_PPC64) {
            if (bytes[5] != 1 && bytes[5] != 2) {
                throw new ElfFormatException("ELF: EI_DATA is " + bytes[5] + ", expected 1 or 2 (ELFDATA2LSB or ELFDATA2MSB)");
            }
        } else {
            expect("EI_DATA", bytes[5], 1, "ELFDATA2LSB (little endian)");
        }
        expect("EI_VERSION", bytes[6], 1, "EV_CURRENT");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        expect("e_type", Short.toUnsignedInt(b.getShort(16)), ET_EXEC, "ET_EXEC (a static executable)");
        expect("e_machine", Short.toUnsignedInt(b.getShort(18)), machine, machineName(machine));
        expect("e_version", b.getInt(20), 1, "EV_CURRENT");
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        expect("e_phentsize", phentsize, PHDR_SIZE, "sizeof(Elf64_Phdr)");
        if (phnum == 0) {
            throw new ElfFormatException("ELF: e_phnum is 0: no program headers to load");
        }
        if (phoff < EHDR_SIZE || phoff > bytes.length || (long) phnum * PHDR_SIZE > bytes.length - phoff) {
            throw new ElfFormatException("ELF: program headers at e_phoff=0x" + Long.toHexString(phoff) + ", "
                    + phnum + " x " + PHDR_SIZE + " bytes, do not fit in the file of " + bytes.length + " bytes");
        }
        List<ElfSegment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * PHDR_SIZE);
            if (b.getInt(at) != PT_LOAD) {
                continue;
            }
            int flags = b.getInt(at + 4);
            long offset = b.getLong(at + 8);
            long vaddr = b.getLong(at + 16);
            long paddr = b.getLong(at + 24);
            long filesz = b.getLong(at + 32);
            long memsz = b.getLong(at + 40);
            String where = "ELF: PT_LOAD program header " + i + " (p_offset=0x" + Long.toHexString(offset)
                    + ", p_paddr=0x" + Long.toHexString(paddr) + ", p_filesz=0x" + Long.toHexString(filesz)
                    + ", p_memsz=0x" + Long.toHexString(memsz) + ")";
            if (offset < 0 || filesz < 0 || offset > bytes.length || filesz > bytes.length - offset) {
                throw new ElfFormatException(where + ": file bytes lie beyond the end of the file of " + bytes.length + " bytes");
            }
            if (Long.compareUnsigned(filesz, memsz) > 0) {
                throw new ElfFormatException(where + ": p_filesz is larger than p_memsz");
            }
            if (Long.compareUnsigned(paddr + memsz, paddr) < 0 || Long.compareUnsigned(vaddr + memsz, vaddr) < 0) {
                throw new ElfFormatException(where + ": the segment wraps around the address space");
            }
            segments.add(new ElfSegment(i, offset, vaddr, GuestAddress.of(paddr), filesz, memsz, flags));
        }
        if (segments.isEmpty()) {
            throw new ElfFormatException("ELF: none of the " + phnum + " program headers is PT_LOAD: nothing to load");
        }
        boolean entryMapped = segments.stream().anyMatch(s -> s.containsVirtual(entry));
        if (!entryMapped) {
            throw new ElfFormatException("ELF: entry point e_entry=0x" + Long.toHexString(entry)
                    + " lies in no PT_LOAD segment");
        }
        return new Elf64Image(bytes, entry, List.copyOf(segments), big);
    }

    /** True for a big-endian (ELFDATA2MSB) image, which only {@link #EM_PPC64} accepts. */
    public boolean bigEndian() {
        return bigEndian;
    }

    /** The file bytes of {@code s}, one of {@link #segments} (p_filesz bytes from p_offset). */
    public byte[] fileBytes(ElfSegment s) {
        return Arrays.copyOfRange(bytes, (int) s.fileOffset(), (int) (s.fileOffset() + s.fileSize()));
    }

    /** The entry point as a virtual address (e_entry). */
    public long entryVirtual() {
        return entry;
    }

    /** The entry point as a guest-physical address: e_entry translated through its segment. */
    public GuestAddress entryPhysical() {
        for (ElfSegment s : segments) {
            if (s.containsVirtual(entry)) {
                return s.physicalAddress().plus(entry - s.virtualAddress());
            }
        }
        throw new IllegalStateException("entry checked at parse time");
    }

    /** The PT_LOAD segments in file order. */
    public List<ElfSegment> segments() {
        return segments;
    }

    /**
     * Copies every PT_LOAD segment to its physical address and zero-fills its tail (.bss).
     * All segments are checked against guest RAM before the first byte is written, so a refusal
     * leaves memory as it was. Returns the physical entry point.
     */
    public GuestAddress load(GuestWriter memory) {
        return load(memory, List.of());
    }

    /**
     * As {@link #load(GuestWriter)}, refusing first (before writing anything) an image with a
     * segment in one of {@code reserved}, the ranges the boot code fills afterwards.
     *
     * @throws ElfFormatException naming the segment and the range, as {@link #checkClearOf}
     */
    public GuestAddress load(GuestWriter memory, List<ReservedRange> reserved) {
        checkClearOf(reserved);
        for (ElfSegment s : segments) {
            memory.check(s.physicalAddress(), s.memorySize(), "ELF segment at p_paddr " + s.physicalAddress());
        }
        for (ElfSegment s : segments) {
            memory.write(s.physicalAddress(), Arrays.copyOfRange(bytes, (int) s.fileOffset(),
                    (int) (s.fileOffset() + s.fileSize())));
            if (s.memorySize() > s.fileSize()) {
                memory.zero(s.physicalAddress().plus(s.fileSize()), s.memorySize() - s.fileSize());
            }
        }
        return entryPhysical();
    }

    /**
     * Refuses the image when a segment's memory image [p_paddr, p_paddr + p_memsz) overlaps one
     * of {@code reserved}: what the boot code writes there after loading would overwrite it.
     *
     * @throws ElfFormatException naming the first such segment (index, p_vaddr, p_paddr, p_memsz)
     *     and the range
     */
    public void checkClearOf(List<ReservedRange> reserved) {
        for (ElfSegment s : segments) {
            for (ReservedRange r : reserved) {
                if (r.overlaps(s.physicalAddress(), s.memorySize())) {
                    throw new ElfFormatException("ELF: " + s.describe() + " overlaps " + r
                            + ", which the boot code writes after loading the image");
                }
            }
        }
    }

    private static void expect(String field, int found, int expected, String meaning) {
        if (found != expected) {
            throw new ElfFormatException("ELF: " + field + " is " + found + ", expected " + expected + " (" + meaning + ")");
        }
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case EM_X86_64 -> "EM_X86_64";
            case EM_PPC64 -> "EM_PPC64";
            default -> "machine " + machine;
        };
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }
}
