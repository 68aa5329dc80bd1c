package org.jvmm.machine.pseries.vof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.kvm.elf.Elf64Image;
import org.jvmm.kvm.soft.ppc.PpcCpu;

/**
 * The -kernel entry as QEMU 7.2's spapr with x-vof=on makes it (spapr.c translate_kernel_address,
 * spapr_vof_reset, pc-bios/vof's jump to qemu,boot-kernel): segments at (p_paddr & 0x0fffffff) +
 * 0x400000, the CPU at 0x400000 with MSR 0, r5 the client-interface stub, r1 in the claimed stack.
 */
class VofBootEntersAsQemu72 {

    @Test
    @DisplayName("the segment lands at (p_paddr & 0x0fffffff) + 0x400000, its tail zeroed; PC 0x400000, MSR 0, r3 = r4 = 0, r5 = 0x100")
    void entryState() {
        try (VofRig r = new VofRig(true)) {
            PpcCpu cpu = r.m.ppcCpu().ppc();
            assertEquals(0x40_0000L, cpu.pc().value());
            assertEquals(0L, cpu.msr());
            assertEquals(0L, cpu.gpr(3));
            assertEquals(0L, cpu.gpr(4));
            assertEquals(VofBoot.CI_ENTRY, cpu.gpr(5));
            assertEquals(0xffe0L, cpu.gpr(1), "VOF_STACK_SIZE at 0x8000, 0x20 below its top");
            assertEquals(VofBoot.EXIT_STUB, cpu.lr());
            assertArrayEquals(new byte[] {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0, 0}, r.bytes(0x50_0000, 10));
            assertEquals(0x1000L, r.boot.kernelSize());
        }
    }

    @Test
    @DisplayName("the stub: mr r4,r3; li r3,0; ori r3,r3,0xf005; sc 1; blr, big-endian at the client-interface entry")
    void stub() {
        try (VofRig r = new VofRig(false)) {
            assertEquals(List.of(0x7c641b78L, 0x38600000L, 0x6063f005L, 0x44000022L, 0x4e800020L),
                    List.of(r.read(0x100), r.read(0x104), r.read(0x108), r.read(0x10c), r.read(0x110)));
        }
    }

    @Test
    @DisplayName("/chosen: qemu,boot-kernel [0x400000, size], qemu,boot-kernel-le before it for a little-endian ELF only, bootargs from -append")
    void chosen() {
        try (VofRig le = new VofRig(false); VofRig be = new VofRig(true)) {
            int chosen = le.phandle("/chosen");
            assertEquals(16, le.one("getprop", chosen, le.str("qemu,boot-kernel"), VofRig.BUF, 16));
            assertEquals(List.of(0L, 0x40_0000L, 0L, 0x1000L), List.of(le.read(VofRig.BUF), le.read(VofRig.BUF + 4),
                    le.read(VofRig.BUF + 8), le.read(VofRig.BUF + 12)));
            assertEquals(0, le.one("getproplen", chosen, le.str("qemu,boot-kernel-le")));
            assertEquals(1, le.one("nextprop", chosen, le.str("linux,stdout-path"), VofRig.BUF));
            assertEquals("qemu,boot-kernel-le", le.readString(VofRig.BUF));
            assertEquals(-1, be.one("getproplen", be.phandle("/chosen"), be.str("qemu,boot-kernel-le")));
            assertEquals(13, be.one("getprop", be.phandle("/chosen"), be.str("bootargs"), VofRig.BUF, 64));
            assertEquals("console=hvc0", be.readString(VofRig.BUF));
        }
    }

    @Test
    @DisplayName("booting again (system-reboot) starts the client interface over: claims, instances and setprop gone")
    void bootAgainStartsOver() {
        try (VofRig r = new VofRig(true)) {
            assertEquals(0x41_0000, r.one("claim", 0, 0x1_0000, 0x1_0000));
            assertEquals(2, r.one("open", r.str("/rtas")));
            assertEquals(2, r.one("setprop", r.phandle("/chosen"), r.str("x,new"), r.str("a"), 2));
            r.m.ppcCpu().ppc().setPc(new org.jvmm.address.GuestAddress(0x1234));
            r.m.reset();
            r.boot.boot();
            assertEquals(0x40_0000L, r.m.ppcCpu().ppc().pc().value());
            assertEquals(0x41_0000, r.one("claim", 0, 0x1_0000, 0x1_0000));
            assertEquals(-1, r.one("instance-to-package", 2));
            assertEquals(2, r.one("open", r.str("/rtas")));
            assertEquals(-1, r.one("getproplen", r.phandle("/chosen"), r.str("x,new")));
        }
    }

    @Test
    @DisplayName("a segment placed beyond RAM is refused naming it, before anything is written")
    void tooBig() {
        byte[] elf = VofRig.tinyKernel(true);
        Elf64Image image = Elf64Image.parse(elf, Elf64Image.EM_PPC64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VofBoot.checkFits(image, 0x40_0800));
        assertEquals("ELF " + image.segments().getFirst().describe() + " goes to [0x500000, +0x1000), beyond the 0x400800"
                + " bytes of RAM", e.getMessage());
    }
}
