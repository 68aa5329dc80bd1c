package org.jvmm.vfio.pci;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.MsixSpec;
import org.jvmm.pci.PciConfigSpace;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioDeviceOps;

/**
 * vfio-pci's per-device state (Linux drivers/vfio/pci/vfio_pci_core.c, vfio_pci_config.c,
 * vfio_pci_intrs.c): config space as the user sees it, region info and access at
 * {@code index << 40}, BAR mmaps, and interrupts forwarded to the user's eventfds.
 *
 * <p>Regions: BAR0-5 (READ|WRITE; MMAP for memory BARs of at least a page; the BAR holding the
 * MSI-X table carries a sparse-mmap capability whose areas leave the table's pages out, and a
 * mmap over them is EINVAL), ROM (size 0: none), CONFIG (the 256 B or 4 KiB space), VGA (EINVAL:
 * not a VGA device). BAR read/write with memory decode off is EIO; mmap-ed accesses then are bus
 * errors.
 *
 * <p>Interrupts: INTx (count 1 with a pin; MASKABLE, AUTOMASKED: the line masks itself when it
 * fires and stays masked until UNMASK, which re-signals while the device still asserts), MSI and
 * MSI-X (NORESIZE; enabled by the first TRIGGER with eventfds, disabled by TRIGGER|DATA_NONE with
 * count 0; MASK/UNMASK are ENOTTY), ERR (PCIe only) and REQ. An UNMASK eventfd (virqfd) is
 * polled when INTx fires and before masking decisions, since nothing here can wait on it.
 *
 * <p>Locking: this object's monitor guards config space, open count and mappings; {@code irqLock}
 * guards interrupt state and is taken after the monitor, never before. Device models call the
 * {@link InterruptSink} side with none of their own locks held.
 */
public final class VfioPciCore implements VfioDeviceOps, InterruptSink {
    private static final long PAGE_SIZE = 4096;
    private static final long OFFSET_MASK = (1L << VFIO_PCI_OFFSET_SHIFT) - 1;

    private enum IrqType { NONE, INTX, MSI, MSIX }

    private final HostPciFunction function;
    private final PciDeviceModel model;
    private final PciConfigSpace config;
    private final BarSpec[] bars = new BarSpec[6];
    private final List<Mapping> mappings = new CopyOnWriteArrayList<>();
    private int openCount;

    private final Object irqLock = new Object();
    private IrqType irqType = IrqType.NONE;
    private EventFd intxTrigger;
    private EventFd intxUnmaskFd;
    private boolean intxMasked;
    private boolean intxLine;
    private EventFd[] msiTriggers = new EventFd[0];
    private EventFd errTrigger;
    private EventFd reqTrigger;

    VfioPciCore(HostPciFunction function) {
        this.function = function;
        this.model = function.model();
        this.config = function.config();
        for (BarSpec b : model.bars()) {
            bars[b.index()] = b;
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
        synchronized (irqLock) {
            if (reqTrigger != null) {
                reqTrigger.signal();
            }
        }
    }

    @Override
    public synchronized void open() {
        if (openCount++ == 0) {
            // vfio_pci_core_enable: a fresh, reset function with interrupts off
            model.reset();
            config.resetToPowerOn();
            synchronized (irqLock) {
                irqType = IrqType.NONE;
                intxLine = false;
            }
        }
    }

    @Override
    public synchronized void release() {
        if (openCount <= 0) {
            throw new IllegalStateException("vfio-pci " + name() + " released more often than opened");
        }
        if (--openCount == 0) {
            // vfio_pci_core_disable: interrupts torn down, device reset, decode off
            synchronized (irqLock) {
                clearIntx();
                msiTriggers = new EventFd[0];
                irqType = IrqType.NONE;
                errTrigger = null;
                reqTrigger = null;
            }
            revokeMappings();
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

    private BarSpec bar(int index) {
        BarSpec b = bars[index];
        return b != null && b.index() == index ? b : null;
    }

    private boolean barMmappable(BarSpec b) {
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
    private static long[] msixTablePages(MsixSpec msix) {
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
        return new IrqInfo(index, flags, irqCount(index));
    }

    private int irqCount(int index) {
        return switch (index) {
            case VFIO_PCI_INTX_IRQ_INDEX -> model.interruptPin() != 0 ? 1 : 0;
            case VFIO_PCI_MSI_IRQ_INDEX -> model.msiVectors();
            case VFIO_PCI_MSIX_IRQ_INDEX -> model.msix() == null ? 0 : model.msix().tableSize();
            case VFIO_PCI_ERR_IRQ_INDEX -> model.isPcie() ? 1 : 0;
            case VFIO_PCI_REQ_IRQ_INDEX -> 1;
            default -> 0;
        };
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

    private long rw(String op, long fileOffset, MemorySegment buf, boolean isWrite) {
        int index = (int) (fileOffset >>> VFIO_PCI_OFFSET_SHIFT);
        long pos = fileOffset & OFFSET_MASK;
        long count = buf.byteSize();
        String where = "offset=" + hex(fileOffset) + " (region " + index + " + " + hex(pos) + "), count=" + count;
        if (fileOffset < 0 || index >= VFIO_PCI_NUM_REGIONS) {
            throw new ErrnoException(op, Errno.EINVAL, where + ": no such region");
        }
        if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
            return configRw(op, pos, buf, isWrite, where);
        }
        if (index == VFIO_PCI_ROM_REGION_INDEX || index == VFIO_PCI_VGA_REGION_INDEX) {
            throw new ErrnoException(op, Errno.EINVAL, where + ": region not present");
        }
        BarSpec b = bar(index);
        if (b == null) {
            throw new ErrnoException(op, Errno.EINVAL, where + ": BAR not implemented");
        }
        if (pos >= b.size() || count > b.size() - pos) {
            throw new ErrnoException(op, Errno.EINVAL, where + ": beyond BAR size " + hex(b.size()));
        }
        synchronized (this) {
            if (b.isMemory() ? !config.memoryDecode() : !config.ioDecode()) {
                throw new ErrnoException(op, Errno.EIO, where + ": " + (b.isMemory() ? "memory" : "I/O")
                        + " decode is off in the command register");
            }
        }
        if (function.iommuGroup().mmioFrozen()) {
            // EEH: the PE is isolated; loads answer all-ones, stores go nowhere
            if (!isWrite) {
                buf.fill((byte) 0xff);
            }
            return count;
        }
        barAccess(index, pos, buf, 0, count, isWrite);
        return count;
    }

    private void barAccess(int index, long pos, MemorySegment buf, long bufOff, long count, boolean isWrite) {
        MemorySegment mem = model.barMemory(index);
        if (mem != null) {
            if (isWrite) {
                MemorySegment.copy(buf, bufOff, mem, pos, count);
            } else {
                MemorySegment.copy(mem, pos, buf, bufOff, count);
            }
            return;
        }
        long done = 0;
        while (done < count) {
            long at = pos + done;
            int size = chunk(at, count - done, 8);
            if (isWrite) {
                model.barWrite(index, at, size, getLe(buf, bufOff + done, size));
            } else {
                putLe(buf, bufOff + done, size, model.barRead(index, at, size));
            }
            done += size;
        }
    }

    /** The largest naturally aligned access (up to {@code max}) at {@code at} that fits in {@code left}. */
    private static int chunk(long at, long left, int max) {
        for (int s = max; s > 1; s >>= 1) {
            if ((at & (s - 1)) == 0 && left >= s) {
                return s;
            }
        }
        return 1;
    }

    static long getLe(MemorySegment buf, long off, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (buf.get(ValueLayout.JAVA_BYTE, off + i) & 0xff);
        }
        return v;
    }

    static void putLe(MemorySegment buf, long off, int size, long v) {
        for (int i = 0; i < size; i++) {
            buf.set(ValueLayout.JAVA_BYTE, off + i, (byte) (v >>> (8 * i)));
        }
    }

    private synchronized long configRw(String op, long pos, MemorySegment buf, boolean isWrite, String where) {
        long count = buf.byteSize();
        if (pos >= config.size() || count > config.size() - pos) {
            throw new ErrnoException(op, Errno.EFAULT, where + ": beyond config space size " + config.size());
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
            int size = chunk(at, count - done, 4);
            if (isWrite) {
                config.write(at, size, (int) getLe(buf, done, size));
            } else {
                putLe(buf, done, size, config.read(at, size) & 0xffff_ffffL);
            }
            done += size;
        }
        if (decodeBefore && !config.memoryDecode()) {
            revokeMappings(); // vfio_pci_zap_and_down_write_memory_lock
        }
        return count;
    }

    // ---- mmap ----

    @Override
    public synchronized RegionMapping mmap(long fileOffset, long length) {
        String op = "mmap";
        int index = (int) (fileOffset >>> VFIO_PCI_OFFSET_SHIFT);
        long pos = fileOffset & OFFSET_MASK;
        String where = "offset=" + hex(fileOffset) + ", length=" + hex(length);
        if (fileOffset < 0 || index >= VFIO_PCI_NUM_REGIONS) {
            throw new ErrnoException(op, Errno.EINVAL, where + ": no such region");
        }
        BarSpec b = index <= VFIO_PCI_BAR5_REGION_INDEX ? bar(index) : null;
        if (!barMmappable(b)) {
            throw new ErrnoException(op, Errno.EINVAL, where + ": region " + index + " cannot be mmap-ed");
        }
        long physLen = (b.size() + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        if (length <= 0 || (pos & (PAGE_SIZE - 1)) != 0 || (length & (PAGE_SIZE - 1)) != 0
                || pos > physLen || length > physLen - pos) {
            throw new ErrnoException(op, Errno.EINVAL, where + ": not page aligned or beyond BAR size " + hex(b.size()));
        }
        MsixSpec msix = model.msix();
        if (msix != null && msix.tableBar() == index) {
            long[] t = msixTablePages(msix);
            if (pos < t[1] && t[0] < pos + length) {
                throw new ErrnoException(op, Errno.EINVAL, where + ": overlaps the MSI-X table [" + hex(t[0]) + ", "
                        + hex(t[1]) + ")");
            }
        }
        Mapping m = new Mapping(index, pos, length);
        mappings.add(m);
        return m;
    }

    private void revokeMappings() {
        for (Mapping m : mappings) {
            m.revoked();
        }
    }

    private synchronized boolean decodeOn() {
        return config.memoryDecode();
    }

    /** One mmap of a BAR; see {@link RegionMapping}. */
    private final class Mapping implements RegionMapping {
        private final int index;
        private final long pos;
        private final long length;
        private final List<Runnable> revokeListeners = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        Mapping(int index, long pos, long length) {
            this.index = index;
            this.pos = pos;
            this.length = length;
        }

        @Override
        public int region() {
            return index;
        }

        @Override
        public long regionOffset() {
            return pos;
        }

        @Override
        public long length() {
            return length;
        }

        private void check(long offset, int size) {
            if (closed) {
                throw new IllegalStateException("mapping of " + name() + " region " + index + " is closed");
            }
            if ((size != 1 && size != 2 && size != 4 && size != 8) || offset < 0 || offset > length - size) {
                throw new IllegalArgumentException("access of " + size + " bytes at " + hex(offset) + " outside the "
                        + hex(length) + "-byte mapping");
            }
            if (!decodeOn()) {
                throw new org.jvmm.vfio.BusErrorException(name(), index, pos + offset, size,
                        "memory decode is off");
            }
        }

        @Override
        public long read(long offset, int size) {
            check(offset, size);
            long at = pos + offset;
            BarSpec b = bar(index);
            if (at + size > b.size() || function.iommuGroup().mmioFrozen()) {
                // past the BAR inside the last page, or the PE is frozen by EEH: reads float high
                return -1L >>> (64 - 8 * size);
            }
            MemorySegment mem = model.barMemory(index);
            if (mem != null) {
                return getLe(mem, at, size);
            }
            return model.barRead(index, at, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            check(offset, size);
            long at = pos + offset;
            if (at + size > bar(index).size() || function.iommuGroup().mmioFrozen()) {
                return;
            }
            MemorySegment mem = model.barMemory(index);
            if (mem != null) {
                putLe(mem, at, size, value);
            } else {
                model.barWrite(index, at, size, value);
            }
        }

        @Override
        public MemorySegment fault() {
            check(0, 1);
            MemorySegment mem = model.barMemory(index);
            return mem == null ? null : mem.asSlice(pos, Math.min(length, bar(index).size() - pos));
        }

        @Override
        public org.jvmm.address.HostAddress hostAddress() {
            MemorySegment mem = model.barMemory(index);
            return mem == null ? null : new org.jvmm.address.HostAddress(mem.address() + pos);
        }

        @Override
        public void addRevokeListener(Runnable listener) {
            revokeListeners.add(listener);
        }

        void revoked() {
            for (Runnable r : revokeListeners) {
                r.run();
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("mapping of " + name() + " region " + index + " closed twice");
                }
                closed = true;
            }
            mappings.remove(this);
        }
    }

    // ---- SET_IRQS ----

    @Override
    public void setIrqs(IrqSet set) {
        String op = "VFIO_DEVICE_SET_IRQS";
        int flags = set.flags();
        int index = set.index();
        int start = set.start();
        int count = set.count();
        if (index < 0 || index >= VFIO_PCI_NUM_IRQS
                || Integer.toUnsignedLong(count) >= 0xffff_ffffL - Integer.toUnsignedLong(start)
                || (flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": bad index, range or flags");
        }
        int max = irqCount(index);
        if (Integer.toUnsignedLong(start) >= max || Integer.toUnsignedLong(start) + Integer.toUnsignedLong(count) > max) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": vectors beyond the " + max + " of index " + index);
        }
        int dataType = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
        if (dataType != VFIO_IRQ_SET_DATA_NONE && dataType != VFIO_IRQ_SET_DATA_BOOL && dataType != VFIO_IRQ_SET_DATA_EVENTFD) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": exactly one DATA type is needed");
        }
        if (dataType != set.data().typeFlag() || (dataType != VFIO_IRQ_SET_DATA_NONE && set.data().length() < count)) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": data does not match its type or count");
        }
        int action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
        synchronized (this) {
            synchronized (irqLock) {
                switch (index) {
                    case VFIO_PCI_INTX_IRQ_INDEX -> {
                        switch (action) {
                            case VFIO_IRQ_SET_ACTION_MASK -> intxMask(op, set);
                            case VFIO_IRQ_SET_ACTION_UNMASK -> intxUnmask(op, set);
                            case VFIO_IRQ_SET_ACTION_TRIGGER -> intxTrigger(op, set);
                            default -> throw noAction(op, set);
                        }
                    }
                    case VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX -> {
                        if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
                            throw noAction(op, set); // masking is not offered for MSI/MSI-X
                        }
                        msiTrigger(op, set, index == VFIO_PCI_MSIX_IRQ_INDEX ? IrqType.MSIX : IrqType.MSI);
                    }
                    case VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX -> {
                        if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
                            throw noAction(op, set);
                        }
                        if (start != 0 || count > 1) {
                            throw new ErrnoException(op, Errno.EINVAL, set + ": ERR/REQ have one vector");
                        }
                        EventFd cur = index == VFIO_PCI_ERR_IRQ_INDEX ? errTrigger : reqTrigger;
                        EventFd next = triggerSingle(op, set, cur);
                        if (index == VFIO_PCI_ERR_IRQ_INDEX) {
                            errTrigger = next;
                        } else {
                            reqTrigger = next;
                        }
                    }
                    default -> throw noAction(op, set);
                }
            }
        }
    }

    private static ErrnoException noAction(String op, IrqSet set) {
        return new ErrnoException(op, Errno.ENOTTY, set + ": no handler for this index and action");
    }

    private void intxMask(String op, IrqSet set) {
        if (irqType != IrqType.INTX || set.start() != 0 || set.count() != 1) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": INTx is not enabled, or not vector 0 alone");
        }
        switch (set.data()) {
            case IrqData.None n -> intxMasked = true;
            case IrqData.Bools b -> {
                if (b.get(0)) {
                    intxMasked = true;
                }
            }
            case IrqData.EventFds e -> throw new ErrnoException(op, Errno.EINVAL, set + ": MASK by eventfd is not supported");
        }
    }

    private void intxUnmask(String op, IrqSet set) {
        if (irqType != IrqType.INTX || set.start() != 0 || set.count() != 1) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": INTx is not enabled, or not vector 0 alone");
        }
        switch (set.data()) {
            case IrqData.None n -> unmaskNow();
            case IrqData.Bools b -> {
                if (b.get(0)) {
                    unmaskNow();
                }
            }
            case IrqData.EventFds e -> intxUnmaskFd = e.fds().get(0);
        }
    }

    /** vfio_pci_intx_unmask: unmask; a still-asserted line fires again and masks again. */
    private void unmaskNow() {
        if (!intxMasked) {
            return;
        }
        intxMasked = false;
        if (intxLine) {
            intxMasked = true;
            if (intxTrigger != null) {
                intxTrigger.signal();
            }
        }
    }

    private void pollUnmaskFd() {
        EventFd fd = intxUnmaskFd;
        if (fd != null && !fd.isClosed() && fd.testAndClear()) {
            unmaskNow();
        }
    }

    private void clearIntx() {
        intxTrigger = null;
        intxUnmaskFd = null;
        intxMasked = false;
        if (irqType == IrqType.INTX) {
            irqType = IrqType.NONE;
        }
    }

    private void intxTrigger(String op, IrqSet set) {
        if (irqType == IrqType.INTX && set.count() == 0 && set.data() instanceof IrqData.None) {
            clearIntx();
            return;
        }
        if (!(irqType == IrqType.INTX || irqType == IrqType.NONE) || set.start() != 0 || set.count() != 1) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": another interrupt type (" + irqType
                    + ") is enabled, or not vector 0 alone");
        }
        if (set.data() instanceof IrqData.EventFds e) {
            EventFd fd = e.fds().get(0);
            if (irqType == IrqType.INTX) {
                intxTrigger = fd;
            } else {
                irqType = IrqType.INTX;
                intxTrigger = fd;
                intxMasked = false;
                if (intxLine) { // a line already asserted fires at once
                    intxMasked = true;
                    if (fd != null) {
                        fd.signal();
                    }
                }
            }
            return;
        }
        if (irqType != IrqType.INTX) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": INTx is not enabled");
        }
        boolean fire = !(set.data() instanceof IrqData.Bools b) || b.get(0);
        if (fire && intxTrigger != null) {
            intxTrigger.signal(); // loopback test of the user's handler
        }
    }

    private void msiTrigger(String op, IrqSet set, IrqType type) {
        if (irqType == type && set.count() == 0 && set.data() instanceof IrqData.None) {
            msiTriggers = new EventFd[0];
            irqType = IrqType.NONE;
            return;
        }
        if (!(irqType == type || irqType == IrqType.NONE)) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": another interrupt type (" + irqType + ") is enabled");
        }
        int start = set.start();
        int count = set.count();
        if (set.data() instanceof IrqData.EventFds e) {
            if (irqType == type) {
                if (start + count > msiTriggers.length) {
                    throw new ErrnoException(op, Errno.EINVAL, set + ": beyond the " + msiTriggers.length + " enabled vectors");
                }
                for (int i = 0; i < count; i++) {
                    msiTriggers[start + i] = e.fds().get(i);
                }
                return;
            }
            int nvec = start + count;
            if (nvec == 0) {
                throw new ErrnoException(op, Errno.EINVAL, set + ": no vectors to enable");
            }
            EventFd[] t = new EventFd[nvec];
            for (int i = 0; i < count; i++) {
                t[start + i] = e.fds().get(i);
            }
            msiTriggers = t;
            irqType = type;
            return;
        }
        if (irqType != type) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": " + type + " is not enabled");
        }
        for (int i = start; i < start + count && i < msiTriggers.length; i++) {
            EventFd fd = msiTriggers[i];
            if (fd == null) {
                continue;
            }
            if (!(set.data() instanceof IrqData.Bools b) || b.get(i - start)) {
                fd.signal();
            }
        }
    }

    /** vfio_pci_set_ctx_trigger_single for ERR and REQ. */
    private static EventFd triggerSingle(String op, IrqSet set, EventFd cur) {
        switch (set.data()) {
            case IrqData.None n -> {
                if (cur != null) {
                    if (set.count() != 0) {
                        cur.signal();
                        return cur;
                    }
                    return null;
                }
                throw new ErrnoException(op, Errno.EINVAL, set + ": no trigger set");
            }
            case IrqData.Bools b -> {
                if (set.count() == 0) {
                    throw new ErrnoException(op, Errno.EINVAL, set + ": count 0 with BOOL data");
                }
                if (b.get(0) && cur != null) {
                    cur.signal();
                }
                return cur;
            }
            case IrqData.EventFds e -> {
                if (set.count() == 0) {
                    throw new ErrnoException(op, Errno.EINVAL, set + ": count 0 with EVENTFD data");
                }
                return e.fds().get(0);
            }
        }
    }

    // ---- interrupts from the device ----

    @Override
    public void setIntx(boolean asserted) {
        synchronized (irqLock) {
            intxLine = asserted;
            if (!asserted || irqType != IrqType.INTX) {
                return;
            }
            pollUnmaskFd();
            if (!intxMasked) {
                intxMasked = true; // AUTOMASKED
                if (intxTrigger != null) {
                    intxTrigger.signal();
                }
            }
        }
    }

    @Override
    public boolean msiEnabled() {
        synchronized (irqLock) {
            return irqType == IrqType.MSI;
        }
    }

    @Override
    public boolean msixEnabled() {
        synchronized (irqLock) {
            return irqType == IrqType.MSIX;
        }
    }

    @Override
    public void signalMsi(int vector) {
        synchronized (irqLock) {
            if ((irqType == IrqType.MSI || irqType == IrqType.MSIX) && vector >= 0 && vector < msiTriggers.length
                    && msiTriggers[vector] != null) {
                msiTriggers[vector].signal();
            }
        }
    }

    /** True while INTx is masked (by the user or automatically after it fired). */
    public boolean intxMasked() {
        synchronized (irqLock) {
            pollUnmaskFd();
            return intxMasked;
        }
    }

    // ---- reset ----

    @Override
    public synchronized void reset() {
        if (!model.canReset()) {
            throw new ErrnoException("VFIO_DEVICE_RESET", Errno.EINVAL, name() + " has no reset method");
        }
        revokeMappings();
        byte[] saved = config.save(); // pci_reset_function saves and restores config state
        model.reset();
        config.restore(saved);
    }

    @Override
    public String toString() {
        return "VfioPciCore[" + name() + ", open=" + openCount + ", irq=" + irqType + ", bars=" + Arrays.toString(bars) + "]";
    }

    /** The command register's memory-enable bit as the device sees it. */
    public synchronized boolean memoryDecode() {
        return config.memoryDecode() && (config.command() & PciRegs.COMMAND_MEMORY) != 0;
    }
}
