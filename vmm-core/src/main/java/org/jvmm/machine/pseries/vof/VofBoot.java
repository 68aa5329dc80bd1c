package org.jvmm.machine.pseries.vof;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.GuestAddress;
import org.jvmm.hw.spapr.SpaprVty;
import org.jvmm.kvm.elf.Elf64Image;
import org.jvmm.kvm.elf.ElfSegment;
import org.jvmm.kvm.soft.ppc.PpcCpu;
import org.jvmm.machine.fdt.FdtNode;
import org.jvmm.machine.pseries.PseriesMachine;

/**
 * Boots a {@code -kernel} ELF as QEMU 7.2's {@code -M pseries,x-vof=on} does, with the client
 * interface served in the VMM ({@link VofClient}) in place of QEMU's vof.bin:
 * <ul>
 * <li>each PT_LOAD segment at {@code (p_paddr & 0x0fffffff) + }{@link #KERNEL_LOAD_ADDR}, its
 *     tail zeroed (spapr.c translate_kernel_address); the kernel's size is the sum of p_memsz, as
 *     QEMU's load_elf counts it; /chosen gets {@code qemu,boot-kernel} = [address, size] and, for
 *     a little-endian ELF, {@code qemu,boot-kernel-le};</li>
 * <li>the claims spapr_vof_reset makes: the firmware (here the {@link #STUB_SIZE}-byte stub at 0),
 *     the stack at 0x8000 (32 KiB), the kernel; phandles for every node, /memory@0's
 *     {@code available}, and /chosen's {@code stdout} the ihandle of the vty opened;</li>
 * <li>the CPU entered where vof.bin enters the kernel: at the load address (not e_entry; vof.bin
 *     jumps to qemu,boot-kernel), MSR 0 (big-endian, 32-bit mode), r1 in the stack, r3 = r4 = 0
 *     (no initrd), r5 = the client-interface entry {@link #CI_ENTRY}, LR = a stub that calls
 *     {@code exit} (vof.bin's panic when the kernel returns).</li>
 * </ul>
 * The entry stub (big-endian code, as vof.bin's) moves r3 to r4, makes hypercall
 * {@link VofClient#KVMPPC_H_VOF_CLIENT} and returns its status in r3.
 */
public final class VofBoot {
    /** spapr.c KERNEL_LOAD_ADDR (the kernel-addr property's default). */
    public static final long KERNEL_LOAD_ADDR = 0x40_0000;
    /** What translate_kernel_address keeps of p_paddr. */
    public static final long PADDR_MASK = 0x0fff_ffff;
    /** The client-interface entry (r5). */
    public static final long CI_ENTRY = 0x100;
    /** Where the CPU returns to if the kernel returns: calls exit. */
    public static final long EXIT_STUB = 0x120;
    /** The stub's bytes from 0: what is claimed as firmware. */
    public static final long STUB_SIZE = 0x170;
    /** VOF_STACK_SIZE, claimed aligned to itself; r1 starts 0x20 below its top. */
    public static final long STACK_SIZE = 0x8000;

    private final PseriesMachine machine;
    private final VofClient client;
    private final byte[] file;
    private final Elf64Image elf;
    private final String bootargs;
    private long kernelSize;
    private volatile boolean exited;

    /**
     * Registers the client interface's hypercall in {@code m}. {@code elf} is the parsed
     * {@code file}; {@code bootargs} is the -append text or null.
     */
    public VofBoot(PseriesMachine m, byte[] file, Elf64Image elf, String bootargs) {
        this.machine = m;
        this.file = file.clone();
        this.elf = elf;
        this.bootargs = bootargs;
        SpaprVty vty = m.vty();
        this.client = new VofClient(m.systemMemory(), vty::putChars, () -> {
            exited = true;
            m.power().powerOff();
        });
        m.hypercalls().register(VofClient.KVMPPC_H_VOF_CLIENT, client);
    }

    /**
     * Checks that every segment fits in RAM once placed, without writing anything.
     *
     * @throws IllegalArgumentException naming the segment and where it would go
     */
    public static void checkFits(Elf64Image elf, long ramSize) {
        for (ElfSegment s : elf.segments()) {
            long at = loadAddress(s);
            if (Long.compareUnsigned(s.memorySize(), ramSize) > 0 || Long.compareUnsigned(at, ramSize - s.memorySize()) > 0) {
                throw new IllegalArgumentException("ELF " + s.describe() + " goes to [0x" + Long.toHexString(at) + ", +0x"
                        + Long.toHexString(s.memorySize()) + "), beyond the 0x" + Long.toHexString(ramSize) + " bytes of RAM");
            }
        }
    }

    /** Where QEMU's spapr puts a segment: (p_paddr & 0x0fffffff) + KERNEL_LOAD_ADDR. */
    static long loadAddress(ElfSegment s) {
        return (s.physicalAddress().value() & PADDR_MASK) + KERNEL_LOAD_ADDR;
    }

    /** Loads the kernel and the stub, resets the client interface and sets the entry state. */
    public void boot() {
        checkFits(elf, machine.ram().size());
        MemorySegment ram = machine.ram().segment();
        long size = 0;
        for (ElfSegment s : elf.segments()) {
            long at = loadAddress(s);
            byte[] bytes = elf.fileBytes(s);
            MemorySegment.copy(bytes, 0, ram, ValueLayout.JAVA_BYTE, at, bytes.length);
            ram.asSlice(at + s.fileSize(), s.memorySize() - s.fileSize()).fill((byte) 0);
            size += s.memorySize();
        }
        kernelSize = size;
        writeStub(ram);
        FdtNode fdt = machine.deviceTree(bootargs, new long[] {KERNEL_LOAD_ADDR, kernelSize});
        VofTree tree = VofTree.of(fdt);
        if (!elf.bigEndian()) {
            addBefore(tree.lookup("/chosen"), "qemu,boot-kernel-le", "qemu,boot-kernel");
        }
        client.reset(tree, machine.ram().size(), STUB_SIZE);
        long stack = client.claim(0, STACK_SIZE, STACK_SIZE);
        if (client.claim(KERNEL_LOAD_ADDR, kernelSize, 0) == -1) {
            throw new IllegalArgumentException("VOF: memory for the kernel is in use");
        }
        client.updateAvailable();
        client.openStore("/chosen", "stdout", "/vdevice/vty@" + Long.toHexString(SpaprVty.REG));
        PpcCpu cpu = machine.ppcCpu().ppc();
        cpu.invalidateCode(new GuestAddress(0), machine.ram().size());
        for (int i = 0; i < 32; i++) {
            cpu.setGpr(i, 0);
        }
        cpu.setGpr(1, stack + STACK_SIZE - 0x20);
        cpu.setGpr(5, CI_ENTRY);
        cpu.setLr(EXIT_STUB);
        cpu.setMsr(0);
        cpu.setInterruptLittleEndian(false);
        cpu.setPc(new GuestAddress(KERNEL_LOAD_ADDR));
        exited = false;
    }

    /** The empty flag property {@code prop} placed just before {@code before} in {@code n}. */
    private static void addBefore(VofTree.Node n, String prop, String before) {
        n.insertBefore(prop, new byte[0], before);
    }

    private static void writeStub(MemorySegment ram) {
        int[] code = {
            0x7c641b78, // CI_ENTRY: mr r4,r3
            0x38600000, //           li r3,0
            0x6063f005, //           ori r3,r3,0xf005 (KVMPPC_H_VOF_CLIENT)
            0x44000022, //           sc 1
            0x4e800020, //           blr
        };
        int[] exit = {
            0x38600140, // EXIT_STUB: li r3,0x140 (the exit call's arguments)
            0x4bffffdd, //            bl CI_ENTRY
            0x48000000, //            b .
        };
        ram.asSlice(0, STUB_SIZE).fill((byte) 0);
        for (int i = 0; i < code.length; i++) {
            ram.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), CI_ENTRY + 4L * i, code[i]);
        }
        for (int i = 0; i < exit.length; i++) {
            ram.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), EXIT_STUB + 4L * i, exit[i]);
        }
        ValueLayout.OfInt be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        ram.set(be, 0x140, 0x160); // service: "exit"
        ram.set(be, 0x144, 0);     // nargs
        ram.set(be, 0x148, 0);     // nret
        MemorySegment.copy(new byte[] {'e', 'x', 'i', 't', 0}, 0, ram, ValueLayout.JAVA_BYTE, 0x160, 5);
    }

    public VofClient client() {
        return client;
    }

    /** The kernel's size as QEMU counts it (the sum of p_memsz). */
    public long kernelSize() {
        return kernelSize;
    }

    /** True once the client called {@code exit}. */
    public boolean exited() {
        return exited;
    }
}
