package org.jvmm.vfio.pci;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.MsixSpec;
import org.jvmm.pci.PciConfigSpace;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioDeviceOps;

/**
 * vfio-pci's per-device state (Linux drivers/vfio/pci/vfio_pci_core.c, vfio_pci_config.c):
 * config space as the user sees it, region info and access at {@code index << 40}, open and
 * release, reset. Interrupts are {@link VfioPciIntrs} (vfio_pci_intrs.c), BAR mmaps and their
 * revocation {@link VfioPciMmap}; this class is the device fd's face and hands those calls on.
 *
 * <p>Regions: BAR0-5 (READ|WRITE; MMAP for memory BARs of at least a page; the BAR holding the
 * MSI-X table carries a sparse-mmap capability whose areas leave the table's pages out, and a
 * mmap over them is EINVAL), ROM (size 0: none), CONFIG (the 256 B or 4 KiB space), VGA (EINVAL:
 * not a VGA device). BAR read/write with memory decode off is EIO; mmap-ed accesses then are bus
 * errors.
 *
 * <h2>Threads and locks</h2>
 * This object's monitor guards config space writes, the open count, reset and the mapping list's
 * changes (mmap, revocation). A BAR read or write (pread/pwrite, or through a mapping) takes no
 * lock here: it reads memory decode from the config space's published command register and goes
 * to the device model, which locks for itself; this keeps a trapped guest access to one monitor,
 * the model's. Lock order, outermost first: this monitor, then {@link VfioPciIntrs}'s lock (SET_IRQS,
 * open, release), or this monitor, then the revoke listeners' locks (a VMM region's monitor and the
 * memory API's topology lock); the device model's lock is innermost. Device models call the
 * {@link InterruptSink} side with none of their own locks held; it takes only the interrupt lock.
 */
public final class VfioPciCore implements VfioDeviceOps, InterruptSink {
    static final long PAGE_SIZE = 4096;
    static final long OFFSET_MASK = (1L << VFIO_PCI_OFFSET_SHIFT) - 1;

    private final HostPciFunction function;
    private final PciDeviceModel model;
    private final PciConfigSpace config;
    private final BarSpec[] bars = new BarSpec[6];
    private final VfioPciIntrs intrs;
    private final VfioPciMmap mmaps;
    private int openCount;
    /** Extended-capability header dwords as the user sees them, where vfio-pci unlinks a hidden capability. */
    private final java.util.Map<Integer, Integer> ecapHeaders = new java.util.HashMap<>();

    VfioPciCore(HostPciFunction function) {
        this.function = function;
        this.model = function.model();
        this.config = function.config();
        for (BarSpec b : model.bars()) {
            bars[b.index()] = b;
        }
        this.intrs = new VfioPciIntrs(name(), model);
        this.mmaps = new VfioPciMmap(this, function);
        hideExtendedCapabilities();
    }

    /**
     * vfio_ecap_init: vfio-pci does not expose the PCIe PASID capability (its length is "not yet"
     * in pci_ext_cap_length), so the user's chain skips it: the header before it points past it,
     * or, when it is the first at 0x100, that header keeps only the next pointer. A VMM learns the
     * PASID width from iommufd's GET_HW_INFO instead (reference B-20).
     */
    private void hideExtendedCapabilities() {
        if (config.size() < 4096) {
            return;
        }
        int prev = -1;
        int pos = 0x100;
        for (int guard = 0; pos >= 0x100 && guard < 480; guard++) {
            int header = config.read(pos, 4);
            if (header == 0 || header == -1) {
                return;
            }
            int next = header >>> 20 & 0xffc;
            if ((header & 0xffff) == org.jvmm.pci.PasidSpec.EXT_CAP_ID_PASID) {
                if (prev < 0) {
                    ecapHeaders.put(pos, next << 20);
                } else {
                    int ph = ecapHeaders.getOrDefault(prev, config.read(prev, 4));
                    ecapHeaders.put(prev, (ph & 0x000f_ffff) | next << 20);
                }
            } else {
                prev = pos;
            }
            pos = next;
        }
    }

    @Override
    public String name() {
        return function.address().toString();
    }

    public HostPciFunction function() {
        return function;
    }

    synchronized int openCount() {
        return openCount;
    }

    /** Signals the user's REQ eventfd: the host wants the device back. */
    void requestRelease() {
        intrs.requestRelease();
    }

    @Override
    public synchronized void open() {
        if (openCount++ == 0) {
            // vfio_pci_core_enable: a fresh, reset function with interrupts off
            model.reset();
            config.resetToPowerOn();
            intrs.enable();
        }
    }

    @Override
    public synchronized void release() {
        if (openCount <= 0) {
            throw new IllegalStateException("vfio-pci " + name() + " released more often than opened");
        }
        if (--openCount == 0) {
            // vfio_pci_core_disable: interrupts torn down, device reset, decode off
            intrs.disable();
            mmaps.revokeAll();
            if (model.canReset()) {
                model.reset();
            }
            config.resetToPowerOn();
        }
    }

    // ---- info ----

    @Override
    public DeviceInfo getInfo() {
        return new DeviceInfo(VFIO_DEVICE_FLAGS_PCI | (model.canReset() ? VFIO_DEVICE_FLAGS_RESET : 0),
                VFIO_PCI_NUM_REGIONS, VFIO_PCI_NUM_IRQS);
    }

    BarSpec bar(int index) {
        BarSpec b = bars[index];
        return b != null && b.index() == index ? b : null;
    }

    static boolean barMmappable(BarSpec b) {
        return b != null && b.isMemory() && b.size() >= PAGE_SIZE;
    }

    @Override
    public RegionInfo getRegionInfo(int index) {
        String op = "VFIO_DEVICE_GET_REGION_INFO";
        long offset = (long) index << VFIO_PCI_OFFSET_SHIFT;
        if (index >= VFIO_PCI_BAR0_REGION_INDEX && index <= VFIO_PCI_BAR5_REGION_INDEX) {
            BarSpec b = bar(index);
            if (b == null) {
                return new RegionInfo(index, 0, 0, offset, List.of());
            }
            int flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
            List<RegionCapability> caps = new ArrayList<>();
            if (barMmappable(b)) {
                flags |= VFIO_REGION_INFO_FLAG_MMAP;
                MsixSpec msix = model.msix();
                if (msix != null && msix.tableBar() == index) {
                    caps.add(new RegionCapability.SparseMmap(sparseAreas(b, msix)));
                    flags |= VFIO_REGION_INFO_FLAG_CAPS;
                }
            }
            return new RegionInfo(index, flags, b.size(), offset, caps);
        }
        return switch (index) {
            case VFIO_PCI_ROM_REGION_INDEX -> new RegionInfo(index, 0, 0, offset, List.of());
            case VFIO_PCI_CONFIG_REGION_INDEX -> new RegionInfo(index,
                    VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, config.size(), offset, List.of());
            case VFIO_PCI_VGA_REGION_INDEX -> throw new ErrnoException(op, Errno.EINVAL, "index=8: " + name()
                    + " is not a VGA device");
            default -> throw new ErrnoException(op, Errno.EINVAL, "index=" + index + " >= " + VFIO_PCI_NUM_REGIONS);
        };
    }

    /** The page-aligned span [start, end) of the MSI-X table. */
    static long[] msixTablePages(MsixSpec msix) {
        long start = msix.tableOffset() & ~(PAGE_SIZE - 1);
        long end = (msix.tableOffset() + msix.tableBytes() + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        return new long[] {start, end};
    }

    private static List<RegionCapability.Area> sparseAreas(BarSpec b, MsixSpec msix) {
        long[] t = msixTablePages(msix);
        List<RegionCapability.Area> areas = new ArrayList<>();
        if (t[0] > 0) {
            areas.add(new RegionCapability.Area(0, t[0]));
        }
        if (t[1] < b.size()) {
            areas.add(new RegionCapability.Area(t[1], b.size() - t[1]));
        }
        return areas;
    }

    @Override
    public IrqInfo getIrqInfo(int index) {
        if (index < 0 || index >= VFIO_PCI_NUM_IRQS || (index == VFIO_PCI_ERR_IRQ_INDEX && !model.isPcie())) {
            throw new ErrnoException("VFIO_DEVICE_GET_IRQ_INFO", Errno.EINVAL, "index=" + index
                    + (index == VFIO_PCI_ERR_IRQ_INDEX ? ": ERR needs a PCI Express device" : ""));
        }
        int flags = VFIO_IRQ_INFO_EVENTFD;
        if (index == VFIO_PCI_INTX_IRQ_INDEX) {
            flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
        } else {
            flags |= VFIO_IRQ_INFO_NORESIZE;
        }
        return new IrqInfo(index, flags, intrs.irqCount(index));
    }

    // ---- region read/write ----

    @Override
    public long read(long fileOffset, MemorySegment buffer) {
        return rw("pread", fileOffset, buffer, false);
    }

    @Override
    public long write(long fileOffset, MemorySegment buffer) {
        return rw("pwrite", fileOffset, buffer, true);
    }

    /**
     * pread/pwrite of a region (vfio_pci_rw). No lock on the BAR path: decode is read from the
     * config space's published command register, and the device model locks for itself. The
     * error context is built only when an error is thrown.
     */
    private long rw(String op, long fileOffset, MemorySegment buf, boolean isWrite) {
        int index = (int) (fileOffset >>> VFIO_PCI_OFFSET_SHIFT);
        long pos = fileOffset & OFFSET_MASK;
        long count = buf.byteSize();
        if (fileOffset < 0 || index >= VFIO_PCI_NUM_REGIONS) {
            throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, count) + ": no such region");
        }
        if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
            return configRw(op, fileOffset, pos, buf, isWrite);
        }
        if (index == VFIO_PCI_ROM_REGION_INDEX || index == VFIO_PCI_VGA_REGION_INDEX) {
            throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, count) + ": region not present");
        }
        BarSpec b = bar(index);
        if (b == null) {
            throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, count) + ": BAR not implemented");
        }
        if (pos >= b.size() || count > b.size() - pos) {
            throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, count) + ": beyond BAR size " + hex(b.size()));
        }
        if (b.isMemory() ? !config.memoryDecode() : !config.ioDecode()) {
            throw new ErrnoException(op, Errno.EIO, where(fileOffset, count) + ": " + (b.isMemory() ? "memory" : "I/O")
                    + " decode is off in the command register");
        }
        if (function.iommuGroup().mmioFrozen()) {
            // EEH: the PE is isolated; loads answer all-ones, stores go nowhere
            if (!isWrite) {
                buf.fill((byte) 0xff);
            }
            return count;
        }
        barAccess(index, pos, buf, count, isWrite);
        return count;
    }

    /** The context of a region access error (built on that path only). */
    private static String where(long fileOffset, long count) {
        int index = (int) (fileOffset >>> VFIO_PCI_OFFSET_SHIFT);
        return "offset=" + hex(fileOffset) + " (region " + index + " + " + hex(fileOffset & OFFSET_MASK) + "), count="
                + count;
    }

    private void barAccess(int index, long pos, MemorySegment buf, long count, boolean isWrite) {
        MemorySegment mem = model.barMemory(index);
        if (mem != null) {
            if (isWrite) {
                MemorySegment.copy(buf, 0, mem, pos, count);
            } else {
                MemorySegment.copy(mem, pos, buf, 0, count);
            }
            return;
        }
        long done = 0;
        while (done < count) {
            long at = pos + done;
            int size = Bytes.alignedChunk(at, count - done, Bytes.MAX_ACCESS);
            if (isWrite) {
                model.barWrite(index, at, size, Bytes.loadLe(buf, done, size));
            } else {
                Bytes.storeLe(buf, done, size, model.barRead(index, at, size));
            }
            done += size;
        }
    }

    private synchronized long configRw(String op, long fileOffset, long pos, MemorySegment buf, boolean isWrite) {
        long count = buf.byteSize();
        if (pos >= config.size() || count > config.size() - pos) {
            throw new ErrnoException(op, Errno.EFAULT, where(fileOffset, count) + ": beyond config space size "
                    + config.size());
        }
        if (function.iommuGroup().mmioFrozen()) {
            // EEH: config cycles to an isolated PE read all-ones and writes are dropped
            if (!isWrite) {
                buf.fill((byte) 0xff);
            }
            return count;
        }
        long done = 0;
        boolean decodeBefore = config.memoryDecode();
        while (done < count) {
            int at = (int) (pos + done);
            int size = Bytes.alignedChunk(at, count - done, 4);
            if (isWrite) {
                config.write(at, size, (int) Bytes.loadLe(buf, done, size));
            } else {
                Integer virt = ecapHeaders.isEmpty() ? null : ecapHeaders.get(at & ~3);
                long v = virt == null ? config.read(at, size) & 0xffff_ffffL
                        : (virt >>> ((at & 3) * 8)) & (size == 4 ? 0xffff_ffffL : (1L << (8 * size)) - 1);
                Bytes.storeLe(buf, done, size, v);
            }
            done += size;
        }
        if (decodeBefore && !config.memoryDecode()) {
            mmaps.revokeAll(); // vfio_pci_zap_and_down_write_memory_lock
        }
        return count;
    }

    // ---- mmap (VfioPciMmap) ----

    @Override
    public synchronized RegionMapping mmap(long fileOffset, long length) {
        return mmaps.mmap(fileOffset, length);
    }

    // ---- interrupts (VfioPciIntrs) ----

    @Override
    public void setIrqs(IrqSet set) {
        synchronized (this) {
            intrs.setIrqs(set);
        }
    }

    @Override
    public void setIntx(boolean asserted) {
        intrs.setIntx(asserted);
    }

    @Override
    public boolean msiEnabled() {
        return intrs.msiEnabled();
    }

    @Override
    public boolean msixEnabled() {
        return intrs.msixEnabled();
    }

    @Override
    public void signalMsi(int vector) {
        intrs.signalMsi(vector);
    }

    /** True while INTx is masked (by the user or automatically after it fired). */
    public boolean intxMasked() {
        return intrs.intxMasked();
    }

    // ---- reset ----

    @Override
    public synchronized void reset() {
        if (!model.canReset()) {
            throw new ErrnoException("VFIO_DEVICE_RESET", Errno.EINVAL, name() + " has no reset method");
        }
        mmaps.revokeAll();
        byte[] saved = config.save(); // pci_reset_function saves and restores config state
        model.reset();
        config.restore(saved);
    }

    /**
     * vfio_pci_core_ioctl_feature for the features the core leaves to the driver: the low-power
     * features and the VF token are not modelled (a device here has no VF token, which the kernel
     * answers ENOTTY too), every other number ENOTTY.
     */
    @Override
    public void deviceFeature(int flags, MemorySegment data, long payloadArgsz) {
        throw new org.jvmm.host.ErrnoException("VFIO_DEVICE_FEATURE", org.jvmm.host.Errno.ENOTTY, name()
                + ": vfio-pci does not offer feature " + (flags & 0xffff) + " here");
    }

    @Override
    public String toString() {
        return "VfioPciCore[" + name() + ", open=" + openCount + ", irq=" + intrs.type() + ", bars=" + Arrays.toString(bars) + "]";
    }

    /** The command register's memory-enable bit as the device sees it. */
    public synchronized boolean memoryDecode() {
        return config.memoryDecode() && (config.command() & PciRegs.COMMAND_MEMORY) != 0;
    }
}
