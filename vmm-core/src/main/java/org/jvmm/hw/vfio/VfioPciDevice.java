package org.jvmm.hw.vfio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.hw.pci.PciBarType;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.Vm;
import org.jvmm.memory.MmioRegion;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A host PCI function given to the guest through VFIO (QEMU's vfio-pci device, hw/vfio/pci.c).
 *
 * <h2>Configuration space</h2>
 * Emulated over the device's: identification, class, subsystem, interrupt pin and the capability
 * list are read from the device's configuration region when the device is realized; BARs are
 * emulated (sized from VFIO_DEVICE_GET_REGION_INFO); command register writes also go to the
 * device, so its memory decode (and so the state of its BAR mappings) follows the guest's.
 *
 * <h2>BARs</h2>
 * Each BAR is a {@link VfioRegion}: a trap region, so every access exits to the VMM and is carried
 * out with a region read or write (through the BAR's mmap where the region may be mapped), and a
 * RAM-like BAR's memory faulted in over the trap on first touch.
 *
 * <h2>Interrupts</h2>
 * One class per kind, as the guest enables them: INTx ({@link VfioIntx}: an irqfd with a resample
 * eventfd, no exit on either path), MSI ({@link VfioMsi}: one vector, a GSI routed to the guest's
 * message when the guest enables the capability; INTx is disabled meanwhile, as QEMU does) and
 * MSI-X ({@link VfioMsix}: the capability's enable and function mask bits are guest-writable; the
 * vector table and PBA are emulated by regions placed over the BAR that holds them, above its trap
 * and mapping; each unmasked vector with a message gets a GSI route, an eventfd and an irqfd,
 * handed to VFIO as the vector's trigger). INTx is disabled while MSI-X is enabled. A BAR holding
 * the MSI-X table is not mapped: its other accesses trap.
 *
 * <h2>Threads and locks</h2>
 * Configuration accesses arrive on vCPU threads, serialized by the PCI bus; they alone touch the
 * INTx and MSI state. BAR traps may run concurrently and only read immutable state or the device;
 * a trapped register access takes no lock here or in the VFIO driver, only the device model's own
 * ({@link VfioRegion} says which rare paths lock). The machine's control thread realizes and closes
 * the device. MSI-X table and PBA accesses may run concurrently too; {@link VfioMsix} serializes
 * them with the control changes under its own lock. Lock order, outermost first: VfioMsix's lock,
 * the GSI router's, the VFIO driver's (VfioPciCore's monitor, then its interrupt lock); the
 * driver's monitor, then a {@link VfioRegion}'s monitor (revocation), then the memory API's
 * topology lock; the device model's lock is innermost.
 */
public final class VfioPciDevice extends PciFunction implements AutoCloseable {
    private static final int CONFIG_SIZE = PciRegs.SPACE_SIZE;

    private final VfioDeviceFile device;
    /** The config region's file offset and size as GET_REGION_INFO reports them (A-17: never recomputed). */
    private final long configBase;
    private final int configSize;
    private final Vm vm;
    private final GsiRouter router;
    private final List<VfioRegion> bars = new ArrayList<>();
    private final int msiCap;
    private final int msixCap;
    private final VfioMsix msix;
    private final int intxGsi;

    private final LongAdder trappedReads = new LongAdder();
    private final LongAdder trappedWrites = new LongAdder();
    private final LongAdder barFaults = new LongAdder();

    private final VfioIntx intx;
    private final VfioMsi msi;
    private boolean closed;

    /** Scratch for configuration writes to the host (configuration is serialized by the bus). */
    private final MemorySegment configScratch = Arena.ofAuto().allocate(8, 8);

    private VfioPciDevice(String name, VfioDeviceFile device, Vm vm, GsiRouter router, int intxGsi, boolean noMmap) {
        super(name, 0, 0, 0, 0);
        this.device = device;
        device.getInfo(); // VFIO_DEVICE_GET_INFO first, as QEMU's vfio_get_device (mtty checks IRQ indexes against it)
        RegionInfo cfg = device.getRegionInfo(VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX);
        this.configBase = cfg.offset();
        this.configSize = (int) Math.min(cfg.size(), CONFIG_SIZE);
        this.vm = vm;
        this.router = router;
        this.intxGsi = intxGsi;
        this.intx = new VfioIntx(device, vm);
        this.msi = new VfioMsi(device, vm, router);
        byte[] hostConfig = readHostConfig();
        copyIdentity(hostConfig);
        this.msiCap = copyCapabilities(hostConfig);
        this.msixCap = findCapability(hostConfig, PciRegs.CAP_ID_MSIX);
        int msixTableBar = -1;
        int msixPbaBar = -1;
        if (msixCap != 0) {
            setWriteMask(msixCap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE | PciRegs.MSIX_FLAGS_MASKALL);
            msixTableBar = u16(hostConfig, msixCap + 4) & 7;
            msixPbaBar = u16(hostConfig, msixCap + 8) & 7;
            int vectors = (u16(hostConfig, msixCap + 2) & PciRegs.MSIX_FLAGS_QSIZE) + 1;
            this.msix = new VfioMsix(name, device, vm, router, vectors);
        } else {
            this.msix = null;
        }
        for (int i = 0; i < PciRegs.BAR_COUNT; i++) {
            RegionInfo ri = device.getRegionInfo(i);
            if (ri.size() == 0) {
                continue;
            }
            int low = (hostConfig[PciRegs.BASE_ADDRESS_0 + 4 * i] & 0xff);
            PciBarType type = barType(low);
            VfioRegion b = new VfioRegion(name, device, i, ri.size(), ri.mmappable() && !noMmap && i != msixTableBar,
                    trappedReads, trappedWrites, barFaults);
            bars.add(b);
            b.beforeTrap(intx::eoi);
            if (i == msixTableBar) {
                long at = u32(hostConfig, msixCap + 4) & ~7L;
                b.container().addSubregion(at, new MmioRegion(name + "-msix-table", msix.tableBytes(), msix.tableOps()), 2);
            }
            if (i == msixPbaBar) {
                long at = u32(hostConfig, msixCap + 8) & ~7L;
                b.container().addSubregion(at, new MmioRegion(name + "-msix-pba", msix.pbaBytes(), msix.pbaOps()), 2);
            }
            registerBar(i, type, b.container());
            if (type.is64()) {
                i++;
            }
        }
    }

    /**
     * Opens the host function at {@code host} through {@code space} and builds its guest view.
     * INTx (when the function has a pin) is wired to {@code intxGsi} at once; MSI when the guest
     * enables it.
     */
    public static VfioPciDevice realize(String name, VfioSpace space, PciAddress host, Vm vm, GsiRouter router,
            int intxGsi) {
        return realize(name, space, host, vm, router, intxGsi, false);
    }

    /**
     * As {@link #realize(String, VfioSpace, PciAddress, Vm, GsiRouter, int)}; with
     * {@code noMmap} (QEMU's x-no-mmap) no BAR is mapped: every access traps to the VMM.
     */
    public static VfioPciDevice realize(String name, VfioSpace space, PciAddress host, Vm vm, GsiRouter router,
            int intxGsi, boolean noMmap) {
        return realize(name, space.openDevice(host), vm, router, intxGsi, noMmap);
    }

    /**
     * As {@link #realize(String, VfioSpace, PciAddress, Vm, GsiRouter, int, boolean)}, for a device
     * opened already (an mdev opened through its group, {@code sysfsdev=}, or a device served over
     * vfio-user); the new device owns {@code device} and closes it, also when this fails.
     */
    public static VfioPciDevice realize(String name, VfioDeviceFile device, Vm vm, GsiRouter router, int intxGsi,
            boolean noMmap) {
        VfioPciDevice d;
        try {
            d = new VfioPciDevice(name, device, vm, router, intxGsi, noMmap);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
        try {
            d.enableIntx();
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private byte[] readHostConfig() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(CONFIG_SIZE);
            device.read(configBase, buf.asSlice(0, configSize)); // mtty and mbochs have 255 bytes
            return buf.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static int u8(byte[] c, int off) {
        return c[off] & 0xff;
    }

    private static int u16(byte[] c, int off) {
        return u8(c, off) | u8(c, off + 1) << 8;
    }

    private static long u32(byte[] c, int off) {
        return (u16(c, off) | (long) u16(c, off + 2) << 16) & 0xffff_ffffL;
    }

    /** The offset of capability {@code id} in the host's list, or 0. */
    private static int findCapability(byte[] c, int id) {
        if ((u16(c, PciRegs.STATUS) & PciRegs.STATUS_CAP_LIST) == 0) {
            return 0;
        }
        int off = u8(c, PciRegs.CAPABILITY_LIST) & 0xfc;
        for (int guard = 0; off != 0 && guard < 48; guard++) {
            if (u8(c, off) == id) {
                return off;
            }
            off = u8(c, off + 1) & 0xfc;
        }
        return 0;
    }

    private void copyIdentity(byte[] c) {
        setWord(PciRegs.VENDOR_ID, u16(c, PciRegs.VENDOR_ID));
        setWord(PciRegs.DEVICE_ID, u16(c, PciRegs.DEVICE_ID));
        setByte(PciRegs.REVISION_ID, u8(c, PciRegs.REVISION_ID));
        setByte(PciRegs.CLASS_PROG, u8(c, PciRegs.CLASS_PROG));
        setWord(PciRegs.CLASS_DEVICE, u16(c, PciRegs.CLASS_DEVICE));
        setWord(PciRegs.SUBSYSTEM_VENDOR_ID, u16(c, PciRegs.SUBSYSTEM_VENDOR_ID));
        setWord(PciRegs.SUBSYSTEM_ID, u16(c, PciRegs.SUBSYSTEM_ID));
        setInterruptPin(u8(c, PciRegs.INTERRUPT_PIN));
    }

    /** Copies the capability list; MSI becomes guest-writable where QEMU's msi_init allows. Returns its offset or 0. */
    private int copyCapabilities(byte[] c) {
        if ((u16(c, PciRegs.STATUS) & PciRegs.STATUS_CAP_LIST) == 0) {
            return 0;
        }
        for (int i = 0x40; i < CONFIG_SIZE; i++) {
            setByte(i, u8(c, i));
        }
        setByte(PciRegs.CAPABILITY_LIST, u8(c, PciRegs.CAPABILITY_LIST));
        setWord(PciRegs.STATUS, getWord(PciRegs.STATUS) | PciRegs.STATUS_CAP_LIST);
        int msi = 0;
        int off = u8(c, PciRegs.CAPABILITY_LIST) & 0xfc;
        for (int guard = 0; off != 0 && guard < 48; guard++) {
            if (u8(c, off) == PciRegs.CAP_ID_MSI) {
                msi = off;
            }
            off = u8(c, off + 1) & 0xfc;
        }
        if (msi != 0) {
            boolean is64 = (u16(c, msi + 2) & 0x80) != 0;
            setWriteMask(msi + 2, 2, 0x0071); // enable, multiple message enable
            setWriteMask(msi + 4, 4, 0xffff_fffc);
            if (is64) {
                setWriteMask(msi + 8, 4, 0xffff_ffff);
                setWriteMask(msi + 12, 2, 0xffff);
            } else {
                setWriteMask(msi + 8, 2, 0xffff);
            }
        }
        return msi;
    }

    private static PciBarType barType(int low) {
        if ((low & PciRegs.BASE_ADDRESS_SPACE_IO) != 0) {
            return PciBarType.IO;
        }
        boolean is64 = (low & PciRegs.BASE_ADDRESS_MEM_TYPE_64) != 0;
        boolean prefetch = (low & PciRegs.BASE_ADDRESS_MEM_PREFETCH) != 0;
        return is64 ? (prefetch ? PciBarType.MEM64_PREFETCH : PciBarType.MEM64)
                : (prefetch ? PciBarType.MEM32_PREFETCH : PciBarType.MEM32);
    }

    /** MSI-X table entries of the function (0 without MSI-X). */
    public int msixVectors() {
        return msix == null ? 0 : msix.vectors();
    }

    /**
     * Programs MSI-X entry {@code vector} with {@code message} and unmasks it, as QEMU's
     * msix_set_message does for sPAPR's ibm,change-msi; IllegalStateException without MSI-X.
     */
    public void setMsixMessage(int vector, MsiMessage message) {
        if (msix == null) {
            throw new IllegalStateException(name() + ": setMsixMessage(" + vector + ") on a function without MSI-X");
        }
        msix.setMessage(vector, message);
    }

    // ------------------------------------------------------------------ configuration writes

    @Override
    public void configWrite(int offset, int size, int value) {
        boolean msiBefore = msiEnabled();
        super.configWrite(offset, size, value);
        if (overlaps(offset, size, PciRegs.COMMAND, 2)) {
            writeHostConfig(PciRegs.COMMAND, 2, command());
        }
        if (msiCap != 0 && overlaps(offset, size, msiCap, msiCap64() ? 14 : 10)) {
            msiChanged(msiBefore);
        }
        if (msixCap != 0 && overlaps(offset, size, msixCap + 2, 2)) {
            msixChanged();
        }
    }

    private static boolean overlaps(int offset, int size, int start, int length) {
        return offset < start + length && start < offset + size;
    }

    private void writeHostConfig(int offset, int size, int value) {
        MemorySegment buf = configScratch.asSlice(0, size);
        Bytes.storeLe(buf, 0, size, value);
        if (offset + size <= configSize) {
            device.write(configBase + offset, buf);
        }
    }

    private boolean msiCap64() {
        return (getWord(msiCap + 2) & 0x80) != 0;
    }

    private boolean msiEnabled() {
        return msiCap != 0 && (getWord(msiCap + 2) & 1) != 0;
    }

    private MsiMessage msiMessage() {
        long address = getLong(msiCap + 4) & 0xffff_ffffL;
        int data;
        if (msiCap64()) {
            address |= (getLong(msiCap + 8) & 0xffff_ffffL) << 32;
            data = getWord(msiCap + 12);
        } else {
            data = getWord(msiCap + 8);
        }
        return new MsiMessage(address, data);
    }

    private void msiChanged(boolean before) {
        boolean now = msiEnabled();
        if (now && !before && msixEnabled()) {
            return; // one interrupt type at a time (VFIO refuses MSI while MSI-X is on): ignored
        }
        if (now && !before) {
            intx.disable();
            msi.enable(msiMessage());
        } else if (!now && before) {
            msi.disable();
            enableIntx();
        } else if (now) {
            msi.update(msiMessage());
        }
    }

    /** hw/vfio/pci.c vfio_msix_enable/disable: INTx off while MSI-X is on. */
    private void msixChanged() {
        int control = getWord(msixCap + 2);
        boolean now = (control & PciRegs.MSIX_FLAGS_ENABLE) != 0;
        boolean before = msix.enabled();
        if (now && !before && msi.enabled()) {
            return; // one interrupt type at a time (VFIO refuses MSI-X while MSI is on): ignored
        }
        if (now && !before) {
            intx.disable();
        }
        msix.control(now, (control & PciRegs.MSIX_FLAGS_MASKALL) != 0);
        if (!now && before) {
            enableIntx();
        }
    }

    /** Wires INTx unless the function has no pin, no GSI was given, or MSI-X is on. */
    private void enableIntx() {
        if (getByte(PciRegs.INTERRUPT_PIN) == 0 || intxGsi < 0 || msixEnabled()) {
            return;
        }
        setByte(PciRegs.INTERRUPT_LINE, intxGsi);
        intx.enable(intxGsi);
    }

    // ------------------------------------------------------------------ lifecycle

    /** VFIO_DEVICE_RESET, then the guest view back to power-on: decode off, MSI off, INTx wired. */
    @Override
    public void reset() {
        msi.disable();
        if (msix != null) {
            msix.release(true);
        }
        device.reset();
        if (msiCap != 0) {
            setWord(msiCap + 2, getWord(msiCap + 2) & ~0x71);
        }
        if (msixCap != 0) {
            setWord(msixCap + 2, getWord(msixCap + 2) & ~(PciRegs.MSIX_FLAGS_ENABLE | PciRegs.MSIX_FLAGS_MASKALL));
        }
        super.reset();
        if (!intx.enabled()) {
            enableIntx();
        }
    }

    /**
     * The host device's in-process VFIO handle (for the VT-d backends, mdev migration and the
     * platform's counters); null when the device file is not the in-process kernel model's (a
     * device served over vfio-user).
     */
    public VfioDevice vfioDevice() {
        return device instanceof VfioDevice d ? d : null;
    }

    /** The device file this function is driven through. */
    public VfioDeviceFile deviceFile() {
        return device;
    }

    /** Guest accesses that exited to the VMM and reached the device through a region read. */
    public long trappedReads() {
        return trappedReads.sum();
    }

    public long trappedWrites() {
        return trappedWrites.sum();
    }

    /** Times a RAM-like BAR was faulted into the guest. */
    public long barFaults() {
        return barFaults.sum();
    }

    /** The GSI of the MSI route while MSI is enabled, else null. */
    public Gsi msiGsi() {
        return msi.gsi();
    }

    /** True while the guest has MSI-X enabled. */
    public boolean msixEnabled() {
        return msix != null && msix.enabled();
    }

    /** The GSI of MSI-X vector {@code vector}'s route, or null when it has none. */
    public Gsi msixGsi(int vector) {
        return msix == null ? null : msix.gsi(vector);
    }

    /** True when MSI-X vector {@code vector}'s eventfd is VFIO's trigger for it (enabled, unmasked). */
    public boolean msixVectorAttached(int vector) {
        return msix != null && msix.attached(vector);
    }

    /** GSI routes MSI-X vectors added so far. */
    public long msixRoutesAdded() {
        return msix == null ? 0 : msix.routesAdded();
    }

    /** GSI routes MSI-X vectors removed so far. */
    public long msixRoutesRemoved() {
        return msix == null ? 0 : msix.routesRemoved();
    }

    public int intxGsi() {
        return intxGsi;
    }

    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("vfio-pci " + name() + " closed twice");
        }
        closed = true;
        if (bus() != null) {
            bus().unplug(devfn());
        }
        msi.disable();
        if (msix != null) {
            msix.release(false);
        }
        intx.disable();
        for (VfioRegion b : bars) {
            b.close();
        }
        device.close();
    }
}
