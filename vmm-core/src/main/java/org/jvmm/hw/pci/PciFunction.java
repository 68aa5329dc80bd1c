package org.jvmm.hw.pci;

import org.jvmm.memory.MemoryRegion;
import org.jvmm.pci.PciRegs;

/**
 * A guest-visible PCI function (QEMU's PCIDevice): a 256-byte configuration space with
 * per-byte write masks and write-one-to-clear masks, up to six BARs, and a capability list.
 * Subclasses set their registers and masks in their constructor and may override
 * {@link #configRead}/{@link #configWrite} to pass parts of the space elsewhere (vfio-pci does).
 *
 * <p>BARs: the guest sizes a BAR by writing all-ones and reading back the size mask, then writes
 * an address; while the command register's memory (or I/O) decode bit is set and the address is
 * sane, the BAR's region is placed in the bus's memory (or I/O) container at that address, as
 * QEMU's pci_update_mappings does. Calls come from vCPU threads through the bus, which serializes
 * them.
 */
public abstract class PciFunction {
    /** What {@link #barAddress(int)} answers for a BAR that is not mapped. */
    public static final long UNMAPPED = -1;

    private final String name;
    private final byte[] config = new byte[PciRegs.SPACE_SIZE];
    private final byte[] wmask = new byte[PciRegs.SPACE_SIZE];
    private final byte[] w1cmask = new byte[PciRegs.SPACE_SIZE];
    private final Bar[] bars = new Bar[PciRegs.BAR_COUNT];
    private int nextCapability = 0x40;
    private PciBus bus;
    private PciDevfn devfn;

    /** One registered BAR: its region and where it is mapped now. */
    static final class Bar {
        final PciBarType type;
        final MemoryRegion region;
        long mappedAt = UNMAPPED;

        Bar(PciBarType type, MemoryRegion region) {
            this.type = type;
            this.region = region;
        }
    }

    /**
     * @param classCode the 24-bit class code (base class, subclass, programming interface)
     */
    protected PciFunction(String name, int vendorId, int deviceId, int classCode, int revision) {
        this.name = name;
        setWord(PciRegs.VENDOR_ID, vendorId);
        setWord(PciRegs.DEVICE_ID, deviceId);
        setByte(PciRegs.REVISION_ID, revision);
        setByte(PciRegs.CLASS_PROG, classCode & 0xff);
        setWord(PciRegs.CLASS_DEVICE, classCode >>> 8);
        // command: I/O, memory, bus master, parity, SERR, INTx disable (QEMU's pci_init_cmask/wmask)
        setWriteMask(PciRegs.COMMAND, 2, PciRegs.COMMAND_IO | PciRegs.COMMAND_MEMORY
                | PciRegs.COMMAND_MASTER | 0x40 | 0x100 | PciRegs.COMMAND_INTX_DISABLE);
        // status: the error bits are write-one-to-clear
        setW1cMask(PciRegs.STATUS, 2, 0xf900);
        setWriteMask(0x0c, 1, 0xff); // cache line size
        setWriteMask(0x0d, 1, 0xff); // latency timer
        setWriteMask(PciRegs.INTERRUPT_LINE, 1, 0xff);
    }

    public String name() {
        return name;
    }

    /** The bus this function is plugged into, or null. */
    public PciBus bus() {
        return bus;
    }

    public PciDevfn devfn() {
        return devfn;
    }

    void plugged(PciBus bus, PciDevfn devfn) {
        this.bus = bus;
        this.devfn = devfn;
    }

    void unplugged() {
        this.bus = null;
        this.devfn = null;
    }

    // ------------------------------------------------------------------ setup helpers

    /**
     * Registers BAR {@code index} (and {@code index + 1} for a 64-bit BAR) for {@code region},
     * whose size must be a power of two (at least 16 bytes for memory, 4 for I/O).
     */
    protected final void registerBar(int index, PciBarType type, MemoryRegion region) {
        long size = region.size();
        int slots = type.is64() ? 2 : 1;
        if (index < 0 || index + slots > PciRegs.BAR_COUNT || bars[index] != null
                || (slots == 2 && bars[index + 1] != null)) {
            throw new IllegalArgumentException(name + " register BAR " + index + " (" + type + "): index taken or out of range");
        }
        if (Long.bitCount(size) != 1 || size < (type.isIo() ? 4 : 16) || (!type.is64() && size > (1L << 31))) {
            throw new IllegalArgumentException(name + " register BAR " + index + ": size 0x" + Long.toHexString(size)
                    + " is not a valid power of two for a " + type + " BAR");
        }
        bars[index] = new Bar(type, region);
        int offset = PciRegs.BASE_ADDRESS_0 + 4 * index;
        setLong(offset, type.typeBits);
        long mask = ~(size - 1) & (type.isIo() ? ~0x3L : ~0xfL);
        setWriteMask(offset, 4, (int) mask);
        if (slots == 2) {
            setWriteMask(offset + 4, 4, (int) (mask >>> 32));
        }
    }

    /** Declares the INTx pin: 1 (INTA) to 4 (INTD), 0 for none. */
    protected final void setInterruptPin(int pin) {
        setByte(PciRegs.INTERRUPT_PIN, pin);
    }

    /**
     * Adds a capability of {@code size} bytes with {@code id} to the list and returns its offset.
     * The capability's own registers are set by the caller.
     */
    protected final int addCapability(int id, int size) {
        int offset = nextCapability;
        if (offset + size > PciRegs.SPACE_SIZE) {
            throw new IllegalStateException(name + " add capability 0x" + Integer.toHexString(id) + ": no room");
        }
        nextCapability = (offset + size + 3) & ~3;
        setByte(offset, id);
        setByte(offset + 1, 0);
        int prev = PciRegs.CAPABILITY_LIST;
        while (getByte(prev) != 0) {
            prev = getByte(prev) + 1;
        }
        setByte(prev, offset);
        setWord(PciRegs.STATUS, getWord(PciRegs.STATUS) | PciRegs.STATUS_CAP_LIST);
        return offset;
    }

    protected final void setWriteMask(int offset, int size, int mask) {
        for (int i = 0; i < size; i++) {
            wmask[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    protected final void setW1cMask(int offset, int size, int mask) {
        for (int i = 0; i < size; i++) {
            w1cmask[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    protected final int getByte(int offset) {
        return config[offset] & 0xff;
    }

    protected final int getWord(int offset) {
        return getByte(offset) | getByte(offset + 1) << 8;
    }

    protected final int getLong(int offset) {
        return getWord(offset) | getWord(offset + 2) << 16;
    }

    protected final void setByte(int offset, int value) {
        config[offset] = (byte) value;
    }

    protected final void setWord(int offset, int value) {
        setByte(offset, value);
        setByte(offset + 1, value >>> 8);
    }

    protected final void setLong(int offset, int value) {
        setWord(offset, value);
        setWord(offset + 2, value >>> 16);
    }

    // ------------------------------------------------------------------ guest accesses

    /** Reads {@code size} (1, 2 or 4) bytes of configuration space, little-endian. */
    public int configRead(int offset, int size) {
        int v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | getByte(offset + i);
        }
        return v;
    }

    /**
     * Writes {@code size} bytes: each bit lands only where the write mask allows, write-one-to-clear
     * bits clear; then BAR mappings follow the new command register and BARs.
     */
    public void configWrite(int offset, int size, int value) {
        writeMasked(offset, size, value);
        if (ranges(offset, size, PciRegs.COMMAND, 2)
                || ranges(offset, size, PciRegs.BASE_ADDRESS_0, 4 * PciRegs.BAR_COUNT)) {
            updateMappings();
        }
    }

    /** The masked store of {@link #configWrite}, without side effects. */
    protected final void writeMasked(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int b = (value >>> (8 * i)) & 0xff;
            int at = offset + i;
            int wm = wmask[at] & 0xff;
            int w1c = w1cmask[at] & 0xff;
            int cur = config[at] & 0xff;
            config[at] = (byte) (((cur & ~wm) | (b & wm)) & ~(b & w1c));
        }
    }

    private static boolean ranges(int offset, int size, int start, int length) {
        return offset < start + length && start < offset + size;
    }

    /** The command register. */
    public final int command() {
        return getWord(PciRegs.COMMAND);
    }

    /** True when the guest has enabled bus mastering (DMA). */
    public final boolean busMasterEnabled() {
        return (command() & PciRegs.COMMAND_MASTER) != 0;
    }

    /** Where BAR {@code index} is mapped now, or {@link #UNMAPPED}. */
    public final long barAddress(int index) {
        Bar b = bars[index];
        return b == null ? UNMAPPED : b.mappedAt;
    }

    /** The region behind BAR {@code index}, or null. */
    public final MemoryRegion barRegion(int index) {
        Bar b = bars[index];
        return b == null ? null : b.region;
    }

    /** Where the configuration says BAR {@code index} should be mapped (QEMU's pci_bar_address). */
    final long decodedBarAddress(int index) {
        Bar b = bars[index];
        int cmd = command();
        long size = b.region.size();
        int offset = PciRegs.BASE_ADDRESS_0 + 4 * index;
        if (b.type.isIo()) {
            if ((cmd & PciRegs.COMMAND_IO) == 0) {
                return UNMAPPED;
            }
            long addr = (getLong(offset) & 0xffff_ffffL) & ~(size - 1);
            long last = addr + size - 1;
            return (addr == 0 || last >= 0xffff_ffffL) ? UNMAPPED : addr;
        }
        if ((cmd & PciRegs.COMMAND_MEMORY) == 0) {
            return UNMAPPED;
        }
        long addr = getLong(offset) & 0xffff_ffffL;
        if (b.type.is64()) {
            addr |= (getLong(offset + 4) & 0xffff_ffffL) << 32;
        }
        addr &= ~(size - 1);
        long last = addr + size - 1;
        if (addr == 0 || Long.compareUnsigned(last, addr) <= 0 || last == -1L) {
            return UNMAPPED;
        }
        if (!b.type.is64() && last >= 0xffff_ffffL) {
            return UNMAPPED;
        }
        if (Long.compareUnsigned(last, Long.MAX_VALUE) > 0) {
            // at or past 2^63 (unsigned): beyond every region of the memory tree, whose offsets
            // and sizes stay below 2^63; left unmapped, as QEMU leaves a BAR past HWADDR_MAX
            return UNMAPPED;
        }
        return addr;
    }

    /** Moves every BAR to where the configuration now puts it. */
    protected final void updateMappings() {
        if (bus != null) {
            bus.updateMappings(this, bars);
        }
    }

    /**
     * Returns the function to its power-on state as far as the bus sees it: command register
     * cleared (so every BAR is unmapped) and BAR addresses zeroed. Subclasses reset their own state
     * and call this.
     */
    public void reset() {
        setWord(PciRegs.COMMAND, 0);
        for (int i = 0; i < PciRegs.BAR_COUNT; i++) {
            if (bars[i] != null) {
                int offset = PciRegs.BASE_ADDRESS_0 + 4 * i;
                setLong(offset, bars[i].type.typeBits);
                if (bars[i].type.is64()) {
                    setLong(offset + 4, 0);
                }
            }
        }
        updateMappings();
    }

    @Override
    public String toString() {
        return name + (devfn != null ? "@" + devfn : "");
    }
}
