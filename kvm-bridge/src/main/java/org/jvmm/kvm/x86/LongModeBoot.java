package org.jvmm.kvm.x86;

import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.GuestWriter;
import org.jvmm.kvm.ReservedRange;

/**
 * Puts an x86-64 vCPU straight into 64-bit long mode, as a 64-bit boot protocol expects: writes a
 * flat GDT and identity page tables into guest RAM, loads CS/DS/ES/FS/GS/SS from the GDT, sets
 * CR3, CR4.PAE, EFER.LME|LMA, CR0.PE|PG (with MP, ET, NE, WP), gives the vCPU its CPUID, and
 * starts it at {@code entry} with {@code stack} in RSP and {@code argument} in RDI (the first
 * argument of the System V calling convention). Interrupts are off (RFLAGS = 2); the guest
 * brings its own IDT.
 *
 * <p>The special registers are read, changed and written back, so state not named here (the
 * APIC base the in-kernel irqchip set up) is kept. Call from the vCPU's thread or before it runs.
 *
 * @param gdtAddress where the GDT goes (24 bytes)
 * @param pageTables where the page tables go and how much they map
 */
public record LongModeBoot(GuestAddress gdtAddress, IdentityPageTables pageTables) {

    /** GDT at 0x500, page tables from 0x9000 mapping the first 4 GiB (6 pages, up to 0xefff). */
    public static LongModeBoot standard() {
        return new LongModeBoot(GuestAddress.of(0x500), new IdentityPageTables(GuestAddress.of(0x9000), 4 * IdentityPageTables.GIB));
    }

    /** Writes the GDT and the page tables into guest RAM: exactly the bytes of {@link #reservedRanges()}. */
    public void writeTables(GuestWriter memory) {
        memory.write(gdtAddress, FlatGdt.bytes());
        memory.write(pageTables.base(), pageTables.bytes());
    }

    /**
     * The guest RAM {@link #writeTables} fills, after the image is loaded: an image must not load
     * there ({@link org.jvmm.kvm.elf.Elf64Image#load(GuestWriter, List)} refuses one that would).
     */
    public List<ReservedRange> reservedRanges() {
        return List.of(new ReservedRange("the GDT", gdtAddress, FlatGdt.bytes().length),
                new ReservedRange("the identity page tables", pageTables.base(), pageTables.sizeBytes()));
    }

    /** The special registers changed for long mode, starting from {@code current}. */
    public Sregs longModeSregs(Sregs current) {
        current.cs = FlatGdt.CODE64;
        current.ds = FlatGdt.DATA;
        current.es = FlatGdt.DATA;
        current.fs = FlatGdt.DATA;
        current.gs = FlatGdt.DATA;
        current.ss = FlatGdt.DATA;
        current.gdt = new DescriptorTable(gdtAddress.value(), FlatGdt.limit());
        current.cr3 = pageTables.cr3().value();
        current.cr4 = Sregs.CR4_PAE | Sregs.CR4_OSFXSR | Sregs.CR4_OSXMMEXCPT;
        current.efer = Sregs.EFER_LME | Sregs.EFER_LMA;
        current.cr0 = Sregs.CR0_PE | Sregs.CR0_MP | Sregs.CR0_ET | Sregs.CR0_NE | Sregs.CR0_WP | Sregs.CR0_PG;
        return current;
    }

    /**
     * Does the whole setup: tables into memory, special and general registers, CPUID (skipped when
     * {@code cpuid} is null).
     */
    public void boot(X86Vcpu vcpu, GuestWriter memory, List<CpuidEntry> cpuid, GuestAddress entry, GuestAddress stack,
            long argument) {
        writeTables(memory);
        if (cpuid != null) {
            vcpu.setCpuid(cpuid);
        }
        vcpu.setSregs(longModeSregs(vcpu.sregs()));
        Regs regs = new Regs();
        regs.rip = entry.value();
        regs.rsp = stack.value();
        regs.rdi = argument;
        regs.rflags = Regs.RFLAGS_RESERVED_ONE;
        vcpu.setRegs(regs);
    }
}
