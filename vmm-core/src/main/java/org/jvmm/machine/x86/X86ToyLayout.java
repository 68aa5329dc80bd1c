package org.jvmm.machine.x86;

import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import org.jvmm.hw.debugexit.DebugExit;
import org.jvmm.hw.serial.Serial16550;
import org.jvmm.machine.MachineMemory;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.AliasRegion;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MmioRegion;
import org.jvmm.memory.RamRegion;

/**
 * The memory and I/O layout of the x86 toy machine, after the PC's: guest RAM below the PCI hole
 * as an alias "ram-below-4g" (at most 3 GiB), the rest above 4 GiB as "ram-above-4g", a container
 * for PCI memory BARs at [0xC0000000, 0xFEC00000), and in the 64 KiB port space a serial port at
 * 0x3f8 and an exit port at 0x501. Both address spaces are little-endian.
 */
public final class X86ToyLayout {
    public static final long RAM_BELOW_4G_MAX = 0xC000_0000L;
    public static final long PCI_HOLE_START = 0xC000_0000L;
    public static final long PCI_HOLE_END = 0xFEC0_0000L;
    public static final long FOUR_GIB = 1L << 32;
    /** Guest-physical address width of the toy machine's memory space. */
    public static final long PHYS_SPACE = 1L << 40;
    public static final int SERIAL_PORT = 0x3f8;

    private final AddressSpace memory;
    private final AddressSpace io;
    private final RamRegion ram;
    private final ContainerRegion pciHole;
    private final Serial16550 serial;

    private X86ToyLayout(AddressSpace memory, AddressSpace io, RamRegion ram, ContainerRegion pciHole, Serial16550 serial) {
        this.memory = memory;
        this.io = io;
        this.ram = ram;
        this.pciHole = pciHole;
        this.serial = serial;
    }

    /**
     * Builds the layout with {@code ramSize} bytes of RAM owned by {@code owner}.
     *
     * @param console where the serial port's output goes
     * @param exitRequest told the status when the guest writes the exit port
     */
    public static X86ToyLayout build(MachineMemory owner, long ramSize, OutputStream console, IntConsumer exitRequest) {
        if (ramSize <= 0 || ramSize % (1 << 20) != 0 || ramSize > PHYS_SPACE - FOUR_GIB) {
            throw new IllegalArgumentException("x86-toy: memory size 0x" + Long.toHexString(ramSize)
                    + " must be a positive whole number of MiB below " + ((PHYS_SPACE - FOUR_GIB) >> 30) + " GiB");
        }
        RamRegion ram = owner.allocateRam("pc.ram", ramSize);
        ContainerRegion system = new ContainerRegion("system", PHYS_SPACE);
        long below = Math.min(ramSize, RAM_BELOW_4G_MAX);
        system.addSubregion(0, new AliasRegion("ram-below-4g", ram, 0, below));
        if (ramSize > below) {
            system.addSubregion(FOUR_GIB, new AliasRegion("ram-above-4g", ram, below, ramSize - below));
        }
        ContainerRegion pciHole = new ContainerRegion("pci-hole", PCI_HOLE_END - PCI_HOLE_START);
        system.addSubregion(PCI_HOLE_START, pciHole);

        ContainerRegion ioRoot = new ContainerRegion("io", 0x10000);
        Serial16550 serial = new Serial16550(console);
        ioRoot.addSubregion(SERIAL_PORT, new MmioRegion("serial", 8, serial));
        ioRoot.addSubregion(DebugExit.DEFAULT_PORT, new MmioRegion("debug-exit", DebugExit.SIZE, new DebugExit(exitRequest)));

        AddressSpace memory = owner.adopt(new AddressSpace("memory", system, ByteOrder.LITTLE_ENDIAN));
        AddressSpace io = owner.adopt(new AddressSpace("I/O", ioRoot, ByteOrder.LITTLE_ENDIAN));
        return new X86ToyLayout(memory, io, ram, pciHole, serial);
    }

    /** The CPU's memory space. */
    public AddressSpace memory() {
        return memory;
    }

    /** The port I/O space. */
    public AddressSpace io() {
        return io;
    }

    public RamRegion ram() {
        return ram;
    }

    /** Where PCI memory BARs are placed. */
    public ContainerRegion pciHole() {
        return pciHole;
    }

    public Serial16550 serial() {
        return serial;
    }
}
