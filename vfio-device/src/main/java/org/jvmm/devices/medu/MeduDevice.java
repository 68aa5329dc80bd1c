package org.jvmm.devices.medu;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciConfigSpace;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.iommu.DmaUnmapListener;
import org.jvmm.vfio.mdev.MdevDevice;
import org.jvmm.vfio.mdev.MdevDeviceOps;

/**
 * One medu mdev: an {@link EduDevice} (1234:11e8, little-endian, its engine run on the thread that
 * writes the command) behind a vendor driver that emulates its config space and reaches guest
 * memory only through the mdev's {@link MdevDevice#pinPages}/{@link MdevDevice#unpinPages} or
 * {@link MdevDevice#dmaRw}.
 *
 * <ul>
 * <li>Regions as vfio-pci lays them out ({@code index << 40}): config (256 bytes), BAR0 (1 MiB of
 *     registers, READ|WRITE, every access traps); other indexes size 0; 9 and above EINVAL.</li>
 * <li>IRQs: INTx (EVENTFD|MASKABLE|AUTOMASKED) and MSI (EVENTFD|NORESIZE), one vector each; MSI-X,
 *     ERR and REQ report count 0 and SET_IRQS on them is EINVAL.</li>
 * <li>{@link DmaMode#PIN}: before a transfer every page it touches is pinned (READ for a read from
 *     memory, WRITE for a write), once; the pins stay for later jobs. When dma_unmap reports a
 *     range, every pin inside it is dropped before the callback returns. A page
 *     that cannot be pinned (no mapping EINVAL, EPERM, ENOMEM over RLIMIT_MEMLOCK) makes the
 *     transfer a DMA fault: nothing moves, {@link #dmaFaults()} counts it and
 *     {@link #lastDmaError()} keeps the errno; the command still completes, as edu's does.</li>
 * <li>{@link DmaMode#DMA_RW}: each transfer is one vfio_dma_rw; its failure is a DMA fault.</li>
 * <li>close_device unpins everything and drops the eventfds .</li>
 * </ul>
 *
 * <p>Threads and locks: register accesses run the engine on the calling thread under edu's lock,
 * then this object's monitor (pins), then TYPE1's lock inside pin/unpin. The dma_unmap callback
 * comes from an UNMAP_DMA thread with TYPE1's lock released and takes this monitor, then TYPE1's
 * lock, never edu's. Interrupt state is guarded by {@code irqLock}.
 */
public final class MeduDevice implements MdevDeviceOps {
    private static final int PAGE = 4096;
    private static final long SHIFT = VFIO_PCI_OFFSET_SHIFT;

    /** How the engine reaches guest memory. */
    public enum DmaMode { PIN, DMA_RW }

    private record Pin(HostAddress host, IommuPermission prot, int count) {
    }

    private final MdevDevice mdev;
    private final DmaMode mode;
    private final boolean forgetUnpin;
    private final EduDevice edu = new EduDevice(ByteOrder.LITTLE_ENDIAN, Runnable::run);
    private final PciConfigSpace config = new PciConfigSpace(edu, false);
    /** Pinned pages by IOVA (unsigned order), each with the pins held on it. Guarded by this. */
    private final TreeMap<Long, Pin> pins = new TreeMap<>(Long::compareUnsigned);
    private final Object irqLock = new Object();
    private EventFd intxFd;
    private EventFd msiFd;
    private boolean intxMasked;
    private boolean intxLine;
    private long interrupts;
    private long dmaFaults;
    private long notifications;
    private ErrnoException lastDmaError;

    MeduDevice(MdevDevice mdev, DmaMode mode, boolean forgetUnpin) {
        this.mdev = mdev;
        this.mode = mode;
        this.forgetUnpin = forgetUnpin;
        edu.connect(new Dma(), new Irq());
    }

    public DmaMode mode() {
        return mode;
    }

    /** The edu behind the vendor driver (its buffer, its counters). */
    public EduDevice edu() {
        return edu;
    }

    /** Pages the engine holds pinned now. */
    public synchronized int pinnedPages() {
        return pins.size();
    }

    /** Transfers that moved nothing because a page could not be pinned or copied. */
    public synchronized long dmaFaults() {
        return dmaFaults;
    }

    /** The errno of the last failed pin or copy, or null. */
    public synchronized ErrnoException lastDmaError() {
        return lastDmaError;
    }

    /** dma_unmap callbacks received. */
    public synchronized long notifications() {
        return notifications;
    }

    /** Interrupts signalled to an eventfd. */
    public long interrupts() {
        synchronized (irqLock) {
            return interrupts;
        }
    }

    // ---- DMA ----

    private final class Dma implements DmaPort {
        @Override
        public long read(Iova iova, MemorySegment dst) {
            return transfer(iova, dst, false);
        }

        @Override
        public long write(Iova iova, MemorySegment src) {
            return transfer(iova, src, true);
        }
    }

    private long transfer(Iova iova, MemorySegment buf, boolean toMemory) {
        long len = buf.byteSize();
        if (len == 0) {
            return 0;
        }
        if (mode == DmaMode.DMA_RW) {
            try {
                mdev.dmaRw(iova, buf, toMemory);
                return len;
            } catch (ErrnoException e) {
                fault(e);
                return 0;
            }
        }
        synchronized (this) {
            long first = iova.value() & -PAGE;
            long last = (iova.value() + len - 1) & -PAGE;
            IommuPermission need = toMemory ? IommuPermission.WRITE : IommuPermission.READ;
            List<MemorySegment> pages = new ArrayList<>();
            for (long p = first; ; p += PAGE) {
                Pin pin = pins.get(p);
                try {
                    if (pin == null || !pin.prot().allows(toMemory ? AccessKind.WRITE : AccessKind.READ)) {
                        HostAddress h = mdev.pinPages(new Iova(p), 1, need).get(0);
                        IommuPermission prot = pin == null ? need : IommuPermission.READ_WRITE;
                        pin = new Pin(h, prot, pin == null ? 1 : pin.count() + 1);
                        pins.put(p, pin);
                    }
                    pages.add(mdev.pageMemory(pin.host()));
                } catch (ErrnoException e) {
                    dmaFaults++;
                    lastDmaError = e;
                    return 0;
                }
                if (p == last) {
                    break;
                }
            }
            long done = 0;
            long off = iova.value() - first;
            for (MemorySegment page : pages) {
                long n = Math.min(PAGE - off, len - done);
                if (toMemory) {
                    MemorySegment.copy(buf, done, page, off, n);
                } else {
                    MemorySegment.copy(page, off, buf, done, n);
                }
                done += n;
                off = 0;
            }
            return len;
        }
    }

    private synchronized void fault(ErrnoException e) {
        dmaFaults++;
        lastDmaError = e;
    }

    @Override
    public DmaUnmapListener dmaUnmap() {
        return this::unmapNotified;
    }

    /** dma_unmap(iova, size): drop every pin in [iova, iova + size), unless this is the buggy variant. */
    private synchronized void unmapNotified(Iova iova, long size) {
        notifications++;
        if (forgetUnpin) {
            return;
        }
        unpinRange(iova.value(), size);
    }

    private void unpinRange(long from, long size) {
        for (Map.Entry<Long, Pin> e : new ArrayList<>(pins.entrySet())) {
            long p = e.getKey();
            if (Long.compareUnsigned(p - from, size) < 0) {
                for (int i = 0; i < e.getValue().count(); i++) {
                    mdev.unpinPages(new Iova(p), 1);
                }
                pins.remove(p);
            }
        }
    }

    @Override
    public void closeDevice() {
        synchronized (this) {
            unpinRange(0, -1L);
            pins.clear();
        }
        synchronized (irqLock) {
            intxFd = null;
            msiFd = null;
            intxMasked = false;
            config.setMsiEnabled(false, 0);
        }
    }

    // ---- interrupts ----

    private final class Irq implements InterruptSink {
        @Override
        public void setIntx(boolean asserted) {
            synchronized (irqLock) {
                intxLine = asserted;
                config.setInterruptStatus(asserted);
                if (asserted && msiFd == null) {
                    fireIntx();
                }
            }
        }

        @Override
        public boolean msiEnabled() {
            synchronized (irqLock) {
                return msiFd != null;
            }
        }

        @Override
        public boolean msixEnabled() {
            return false;
        }

        @Override
        public void signalMsi(int vector) {
            synchronized (irqLock) {
                if (msiFd != null && vector == 0) {
                    msiFd.signal();
                    interrupts++;
                }
            }
        }
    }

    private void fireIntx() {
        if (intxFd != null && !intxMasked && !config.intxDisabled()) {
            intxFd.signal();
            interrupts++;
            intxMasked = true; // AUTOMASKED
        }
    }

    @Override
    public DeviceInfo getInfo() {
        return new DeviceInfo(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, VFIO_PCI_NUM_REGIONS, VFIO_PCI_NUM_IRQS);
    }

    @Override
    public RegionInfo getRegionInfo(int index) {
        if (index < 0 || index >= VFIO_PCI_NUM_REGIONS) {
            throw new ErrnoException("VFIO_DEVICE_GET_REGION_INFO", Errno.EINVAL, mdev.name() + ": index " + index
                    + " >= " + VFIO_PCI_NUM_REGIONS);
        }
        int rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        return switch (index) {
            case VFIO_PCI_CONFIG_REGION_INDEX -> new RegionInfo(index, rw, config.size(), (long) index << SHIFT, List.of());
            case VFIO_PCI_BAR0_REGION_INDEX -> new RegionInfo(index, rw, EduDevice.BAR0_SIZE, 0, List.of());
            default -> new RegionInfo(index, 0, 0, (long) index << SHIFT, List.of());
        };
    }

    @Override
    public IrqInfo getIrqInfo(int index) {
        return switch (index) {
            case VFIO_PCI_INTX_IRQ_INDEX -> new IrqInfo(index,
                    VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED, 1);
            case VFIO_PCI_MSI_IRQ_INDEX -> new IrqInfo(index, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 1);
            case VFIO_PCI_MSIX_IRQ_INDEX, VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX -> new IrqInfo(index, 0, 0);
            default -> throw new ErrnoException("VFIO_DEVICE_GET_IRQ_INFO", Errno.EINVAL, mdev.name() + ": index "
                    + index + " >= " + VFIO_PCI_NUM_IRQS);
        };
    }

    @Override
    public void setIrqs(IrqSet set) {
        String op = "VFIO_DEVICE_SET_IRQS";
        int action = set.flags() & VFIO_IRQ_SET_ACTION_TYPE_MASK;
        if ((set.index() != VFIO_PCI_INTX_IRQ_INDEX && set.index() != VFIO_PCI_MSI_IRQ_INDEX)
                || Integer.bitCount(action) != 1 || Integer.compareUnsigned(set.count(), 1) > 0 || set.start() != 0
                || (set.count() == 0 && !(set.data() instanceof IrqData.None && action == VFIO_IRQ_SET_ACTION_TRIGGER))) {
            throw new ErrnoException(op, Errno.EINVAL, mdev.name() + ": " + set);
        }
        boolean intx = set.index() == VFIO_PCI_INTX_IRQ_INDEX;
        synchronized (irqLock) {
            if (action == VFIO_IRQ_SET_ACTION_TRIGGER) {
                if (set.count() == 0) {
                    disable(intx);
                    return;
                }
                switch (set.data()) {
                    case IrqData.EventFds e -> {
                        EventFd fd = e.fds().get(0);
                        if (fd != null && fd.isClosed()) {
                            throw new ErrnoException(op, Errno.EBADF, mdev.name() + ": " + set + ": eventfd is closed");
                        }
                        if (fd != null && (intx ? msiFd != null : intxFd != null)) {
                            throw new ErrnoException(op, Errno.EINVAL, mdev.name() + ": " + (intx ? "MSI" : "INTx")
                                    + " is enabled");
                        }
                        disable(intx);
                        if (intx) {
                            intxFd = fd;
                        } else if (fd != null) {
                            msiFd = fd;
                            config.setMsiEnabled(true, 1);
                        }
                    }
                    case IrqData.None n -> signal(intx);
                    case IrqData.Bools b -> {
                        if (b.get(0)) {
                            signal(intx);
                        }
                    }
                }
                return;
            }
            if (!intx || set.data() instanceof IrqData.EventFds) {
                throw new ErrnoException(op, Errno.EINVAL, mdev.name() + ": " + set + ": only INTx masks, without eventfds");
            }
            if (set.data() instanceof IrqData.Bools b && !b.get(0)) {
                return;
            }
            if (action == VFIO_IRQ_SET_ACTION_MASK) {
                intxMasked = true;
            } else {
                intxMasked = false;
                if (intxLine) {
                    fireIntx(); // still asserted: it fires again and masks itself
                }
            }
        }
    }

    private void disable(boolean intx) {
        if (intx) {
            intxFd = null;
            intxMasked = false;
        } else if (msiFd != null) {
            msiFd = null;
            config.setMsiEnabled(false, 0);
        }
    }

    private void signal(boolean intx) {
        EventFd fd = intx ? intxFd : msiFd;
        if (fd != null) {
            fd.signal();
            interrupts++;
        }
    }

    @Override
    public void reset() {
        edu.reset();
        synchronized (irqLock) {
            intxLine = false;
            config.setInterruptStatus(false);
        }
    }

    // ---- pread / pwrite ----

    @Override
    public long read(long fileOffset, MemorySegment buffer) {
        return access("pread", fileOffset, buffer, false);
    }

    @Override
    public long write(long fileOffset, MemorySegment buffer) {
        return access("pwrite", fileOffset, buffer, true);
    }

    /**
     * pread/pwrite split into naturally aligned accesses of at most 4 bytes (config) or 8 bytes
     * (BAR0), as the samples split theirs; anything outside config space and BAR0 is EINVAL.
     */
    private long access(String op, long pos, MemorySegment buffer, boolean write) {
        long count = buffer.byteSize();
        int index = (int) (pos >>> SHIFT);
        long off = pos & ((1L << SHIFT) - 1);
        long limit = index == VFIO_PCI_CONFIG_REGION_INDEX ? config.size()
                : index == VFIO_PCI_BAR0_REGION_INDEX ? EduDevice.BAR0_SIZE : 0;
        if (count <= 0 || Long.compareUnsigned(off, limit) >= 0 || count > limit - off) {
            throw new ErrnoException(op, Errno.EINVAL, mdev.name() + ": offset 0x" + Long.toHexString(pos) + " size " + count
                    + " is outside config space and BAR0");
        }
        int max = index == VFIO_PCI_CONFIG_REGION_INDEX ? 4 : 8;
        long done = 0;
        while (done < count) {
            long at = off + done;
            long left = count - done;
            int size = max == 8 && left >= 8 && at % 8 == 0 ? 8 : left >= 4 && at % 4 == 0 ? 4 : left >= 2 && at % 2 == 0 ? 2 : 1;
            MemorySegment piece = buffer.asSlice(done, size);
            if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
                synchronized (irqLock) {
                    if (write) {
                        config.write((int) at, size, (int) loadLe(piece, size));
                    } else {
                        storeLe(piece, size, config.read((int) at, size));
                    }
                }
            } else if (write) {
                edu.barWrite(0, at, size, loadLe(piece, size));
            } else {
                storeLe(piece, size, edu.barRead(0, at, size));
            }
            done += size;
        }
        return count;
    }

    private static long loadLe(MemorySegment b, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) (b.get(ValueLayout.JAVA_BYTE, i) & 0xff) << (8 * i);
        }
        return v;
    }

    private static void storeLe(MemorySegment b, int size, long v) {
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (v >>> (8 * i)));
        }
    }

    @Override
    public String toString() {
        return "MeduDevice[" + mdev.name() + ", " + mode + (forgetUnpin ? ", forgets to unpin" : "") + "]";
    }
}
