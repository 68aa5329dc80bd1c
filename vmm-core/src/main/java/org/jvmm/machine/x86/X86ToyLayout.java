package org.jvmm.machine.x86;

import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import org.jvmm.hw.checkpoint.CheckpointPort;
import org.jvmm.hw.debugexit.DebugExit;
import org.jvmm.hw.pci.PciBus;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.pci.PciHostBridge;
import org.jvmm.hw.pci.PciHostBridgeFunction;
import org.jvmm.hw.serial.Serial16550;
import org.jvmm.machine.MachineMemory;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.AliasRegion;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MmioRegion;
import org.jvmm.memory.RamRegion;

/**
 * The memory and I/O layout of the x86 toy machine, after the PC's: guest RAM below the PCI hole
 * as an alias "ram-below-4g" (at most 3 GiB), the rest above 4 GiB as "ram-above-4g"; a PCI bus
 * whose memory BARs live in "pci-memory" and show through the alias "pci-hole" at
 * [0xC0000000, 0xFEC00000), with its host bridge at 00.0 and configuration mechanism #1 at
 * 0xCF8/0xCFC; and in the 64 KiB port space a serial port at 0x3f8, an exit port at 0x501 and a
 * checkpoint port at 0x510.
 * Both address spaces are little-endian.
 */
public final class X86ToyLayout {
    public static final long RAM_BELOW_4G_MAX = 0xC000_0000L;
    public static final long PCI_HOLE_START = 0xC000_0000L;
    public static final long PCI_HOLE_END = 0xFEC0_0000L;
    public static final long FOUR_GIB = 1L << 32;
    /** Guest-physical address width of the toy machine's memory space. */
    public static final long PHYS_SPACE = 1L << 40;
    public static final int SERIAL_PORT = 0x3f8;
    /** Size of the window for 64-bit BARs above RAM (QEMU's default pci-hole64-size). */
    public static final long PCI_HOLE64_SIZE = 32L << 30;
    /** The most RAM the layout takes: what fits below the 64-bit PCI hole, less 1 GiB of headroom. */
    public static final long RAM_MAX = PHYS_SPACE - FOUR_GIB - PCI_HOLE64_SIZE - (1L << 30);

    private final AddressSpace memory;
    private final AddressSpace io;
    private final RamRegion ram;
    private final PciBus pciBus;
    private final Serial16550 serial;

    private final CheckpointPort checkpoint;

    private X86ToyLayout(AddressSpace memory, AddressSpace io, RamRegion ram, PciBus pciBus, Serial16550 serial,
            CheckpointPort checkpoint) {
        this.checkpoint = checkpoint;
        this.memory = memory;
        this.io = io;
        this.ram = ram;
        this.pciBus = pciBus;
        this.serial = serial;
    }

    /**
     * Builds the layout with {@code ramSize} bytes of RAM owned by {@code owner}.
     *
     * @param console where the serial port's output goes
     * @param exitRequest told the status when the guest writes the exit port
     */
    public static X86ToyLayout build(MachineMemory owner, long ramSize, OutputStream console, IntConsumer exitRequest) {
        if (ramSize <= 0 || ramSize % (1 << 20) != 0 || ramSize > RAM_MAX) {
            throw new IllegalArgumentException("x86-toy: memory size 0x" + Long.toHexString(ramSize)
                    + " must be a positive whole number of MiB up to " + (RAM_MAX >> 30) + " GiB");
        }
        RamRegion ram = owner.allocateRam("pc.ram", ramSize);
        ContainerRegion system = new ContainerRegion("system", PHYS_SPACE);
        long below = Math.min(ramSize, RAM_BELOW_4G_MAX);
        system.addSubregion(0, new AliasRegion("ram-below-4g", ram, 0, below));
        if (ramSize > below) {
            system.addSubregion(FOUR_GIB, new AliasRegion("ram-above-4g", ram, below, ramSize - below));
        }
        ContainerRegion pciMemory = new ContainerRegion("pci-memory", PHYS_SPACE);
        system.addSubregion(PCI_HOLE_START,
                new AliasRegion("pci-hole", pciMemory, PCI_HOLE_START, PCI_HOLE_END - PCI_HOLE_START));
        long hole64 = pciHole64Start(ramSize);
        system.addSubregion(hole64, new AliasRegion("pci-hole64", pciMemory, hole64, PCI_HOLE64_SIZE));

        ContainerRegion ioRoot = new ContainerRegion("io", 0x10000);
        PciBus bus = new PciBus("pci.0", pciMemory, ioRoot);
        PciHostBridge host = new PciHostBridge(bus);
        ioRoot.addSubregion(PciHostBridge.CONFIG_ADDRESS_PORT, new MmioRegion("pci-conf-idx", 4, host.addressPort()));
        ioRoot.addSubregion(PciHostBridge.CONFIG_DATA_PORT, new MmioRegion("pci-conf-data", 4, host.dataPort()));
        bus.plug(new PciDevfn(0, 0), new PciHostBridgeFunction());
        Serial16550 serial = new Serial16550(console);
        ioRoot.addSubregion(SERIAL_PORT, new MmioRegion("serial", 8, serial));
        ioRoot.addSubregion(DebugExit.DEFAULT_PORT, new MmioRegion("debug-exit", DebugExit.SIZE, new DebugExit(exitRequest)));
        CheckpointPort checkpoint = new CheckpointPort();
        ioRoot.addSubregion(CheckpointPort.PORT, new MmioRegion("checkpoint", 4, checkpoint));

        AddressSpace memory = owner.adopt(new AddressSpace("memory", system, ByteOrder.LITTLE_ENDIAN));
        AddressSpace io = owner.adopt(new AddressSpace("I/O", ioRoot, ByteOrder.LITTLE_ENDIAN));
        return new X86ToyLayout(memory, io, ram, bus, serial, checkpoint);
    }

    /** Where 64-bit BARs may go: the first GiB boundary above RAM, at or above 4 GiB. */
    public static long pciHole64Start(long ramSize) {
        long above = Math.max(0, ramSize - RAM_BELOW_4G_MAX);
        long end = FOUR_GIB + above;
        return (end + (1L << 30) - 1) & -(1L << 30);
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

    /** The root PCI bus; its memory BARs show in the PCI hole, its I/O BARs in the port space. */
    public PciBus pciBus() {
        return pciBus;
    }

    /** The port test guests write to hand control to the VMM (0x510). */
    public CheckpointPort checkpoint() {
        return checkpoint;
    }

    public Serial16550 serial() {
        return serial;
    }
}
