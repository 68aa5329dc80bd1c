package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An x86-64 image with a segment on what the long-mode boot writes after loading (the GDT at
 * 0x500, the page tables at 0x9000-0xefff) used to load, be overwritten, and leave the guest to
 * triple-fault or time out with nothing saying why. {@code -kernel} refuses it, status 2, naming
 * the segment (index, p_vaddr, p_paddr, p_memsz) and the range, before KVM or the machine is touched
 * (so the answer is the same on a host without KVM).
 */
class KernelOnTheBootStructuresIsRefusedBeforeTheMachineIsBuilt {
    @TempDir
    Path dir;

    /** An x86-64 ET_EXEC with one PT_LOAD of 16 bytes at {@code paddr} (p_vaddr the same), entry at its start. */
    private Path elf(String name, long paddr, long memsz) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2);
        b.putShort(18, (short) 62);
        b.putInt(20, 1);
        b.putLong(24, paddr);
        b.putLong(32, 64);
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) 1);
        b.putInt(64, 1);
        b.putInt(68, 5);
        b.putLong(72, 120);
        b.putLong(80, paddr);
        b.putLong(88, paddr);
        b.putLong(96, 16);
        b.putLong(104, memsz);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void aSegmentOnTheGdtIsRefusedNamingSegmentAndRange() throws IOException {
        Path p = elf("gdt.elf", 0x500, 0x10);
        CliRun r = CliRun.of("-kernel", p.toString(), "--kvm-device", "/nonexistent/kvm");
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -kernel " + p + ": ELF: PT_LOAD program header 0 (p_vaddr=0x500, p_paddr=0x500, p_memsz=0x10) "
                + "overlaps the GDT [0x500, 0x517], which the boot code writes after loading the image", r.firstErrLine());
    }

    @Test
    void aSegmentInThePageTablesIsRefusedNamingSegmentAndRange() throws IOException {
        Path p = elf("pt.elf", 0xa000, 0x2000);
        CliRun r = CliRun.of("-kernel", p.toString(), "--kvm-device", "/nonexistent/kvm");
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -kernel " + p + ": ELF: PT_LOAD program header 0 (p_vaddr=0xa000, p_paddr=0xa000, p_memsz=0x2000) "
                + "overlaps the identity page tables [0x9000, 0xefff], which the boot code writes after loading the image",
                r.firstErrLine());
    }

    @Test
    void aSegmentBeyondGuestRamIsRefusedNamingIt() throws IOException {
        Path p = elf("high.elf", 0x4000000, 0x10);
        CliRun r = CliRun.of("-m", "64M", "-kernel", p.toString(), "--kvm-device", "/nonexistent/kvm");
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -kernel " + p + ": ELF: PT_LOAD program header 0 (p_vaddr=0x4000000, p_paddr=0x4000000, p_memsz=0x10) "
                + "lies outside guest RAM [0x0, 0x3ffffff]", r.firstErrLine());
    }

    @Test
    @DisplayName("an image clear of the boot structures passes the checks: the run goes on to the KVM check (status 3 without KVM)")
    void anImageClearOfTheBootStructuresGoesOn() throws IOException {
        Path p = elf("ok.elf", 0x100000, 0x1000);
        CliRun r = CliRun.of("-kernel", p.toString(), "--kvm-device", "/nonexistent/kvm");
        assertEquals(3, r.status(), r.err());
    }
}
