package org.jvmm.machine.pseries;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.GuestAddress;
import org.jvmm.machine.fdt.Fdt;
import org.jvmm.kvm.soft.ppc.Msr;
import org.jvmm.kvm.soft.ppc.PpcCpu;

/**
 * Boots firmware as QEMU 7.2's pseries does at machine reset (hw/ppc/spapr.c
 * spapr_machine_reset, spapr_cpu_core.c spapr_cpu_set_entry_state) for {@code -bios}: the raw
 * image at guest-physical 0, the flattened device tree at {@link #fdtAddress} (1 MiB below the
 * lesser of RAM and 2 GiB), and the CPU entered at {@link #ENTRY} with r3 = the tree's address,
 * r1 = r4 = 0, MSR = 0 (big-endian, 32-bit mode, real mode, interrupts off: QEMU 7.0 and later clear
 * MSR[SF] at vCPU reset).
 */
public final class PseriesBoot {
    /** SPAPR_ENTRY_POINT. */
    public static final long ENTRY = 0x100;
    /** FDT_MAX_SIZE: the room QEMU leaves for the tree. */
    public static final long FDT_MAX_SIZE = 0x10_0000;
    /** FDT_MAX_ADDR: the tree stays below 2 GiB. */
    public static final long FDT_MAX_ADDR = 0x8000_0000L;
    /** FW_MAX_SIZE: the largest firmware image QEMU loads. */
    public static final long FW_MAX_SIZE = 0x40_0000;

    private PseriesBoot() {
    }

    /** Where the tree goes for {@code ramSize} bytes of RAM. */
    public static long fdtAddress(long ramSize) {
        return Math.min(ramSize, FDT_MAX_ADDR) - FDT_MAX_SIZE;
    }

    /**
     * Loads {@code image} at 0 and the machine's device tree, and sets the entry state. Called at
     * first boot and after each system-reboot (after {@link PseriesMachine#reset}).
     *
     * @return the device tree blob written
     * @throws IllegalArgumentException if the image is larger than {@link #FW_MAX_SIZE} or
     *     overlaps the tree's place
     */
    public static byte[] bootFirmware(PseriesMachine m, byte[] image) {
        long fdtAt = fdtAddress(m.ram().size());
        if (image.length > FW_MAX_SIZE || image.length > fdtAt) {
            throw new IllegalArgumentException("pseries firmware of " + image.length + " bytes does not fit below "
                    + (image.length > FW_MAX_SIZE ? "the 4 MiB firmware limit" : "the device tree at 0x" + Long.toHexString(fdtAt)));
        }
        byte[] fdt = Fdt.write(m.deviceTree(null, null));
        MemorySegment ram = m.ram().segment();
        MemorySegment.copy(image, 0, ram, ValueLayout.JAVA_BYTE, 0, image.length);
        MemorySegment.copy(fdt, 0, ram, ValueLayout.JAVA_BYTE, fdtAt, fdt.length);
        PpcCpu cpu = m.ppcCpu().ppc();
        cpu.invalidateCode(new GuestAddress(0), m.ram().size());
        for (int i = 0; i < 32; i++) {
            cpu.setGpr(i, 0);
        }
        cpu.setGpr(3, fdtAt);
        cpu.setMsr(0); // QEMU 7.0+ spapr_reset_vcpu: 32-bit mode at entry (hw/ppc/spapr_cpu_core.c)
        cpu.setInterruptLittleEndian(false);
        cpu.setPc(new GuestAddress(ENTRY));
        return fdt;
    }
}
