package org.jvmm.devices.mtty;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.pci.ConfigBytes;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.mdev.MdevDeviceOps;

/**
 * One mtty mdev (samples/vfio-mdev/mtty.c): a PCI serial card with {@code nrPorts} 16550 ports.
 *
 * <ul>
 * <li>A-41 config space (255 bytes): 4348:3253, subsystem the same, command I/O, status 0x0200,
 *     revision 0x10, class 07/00/02, BAR0 (and BAR1 for two ports) an 8-byte I/O BAR, pin A;
 *     sizing a BAR reads back its mask with the I/O bit; BAR2-4 read 0 after a write; the
 *     interrupt line is writable, every other write is ignored.</li>
 * <li>A-42 GET_INFO PCI, 9 regions, 5 IRQs; regions at {@code index << 40}, READ|WRITE only.</li>
 * <li>A-43 pread/pwrite split into aligned 4/2/1-byte accesses; an access outside config, BAR0
 *     and BAR1 fails the whole call with EFAULT. A register access acts on its first byte.</li>
 * <li>A-44 per port: THR feeds a 16-entry loopback FIFO read back on RBR; LSR, IIR, MSR, DLAB,
 *     FCR as the sample (the trigger level is always forced to 1, and is 0 until the first FCR
 *     write, so no received-data interrupt fires before one). A ring holding all 16 bytes has
 *     head == tail, so LSR then shows it empty and RBR reads nothing, as in the sample.</li>
 * <li>A-45, A-46 INTx (maskable, auto-masked) and MSI through eventfds; MSI-X, ERR, REQ ENOTTY.
 *     As in the sample, GET_IRQ_INFO and SET_IRQS check the index against the IRQ count the last
 *     GET_INFO reported, so before any GET_INFO every index is EINVAL.</li>
 * <li>A-47 RESET leaves the UARTs alone and only ends migration: the migration state returns
 *     to RUNNING and its files are disabled; close drops the eventfds and disables the migration
 *     files. No DMA, no dma_unmap.</li>
 * <li>A-19 migration through the VFIO device-state feature ({@link MttyMigration}): the state
 *     image holds each port as the sample's struct serial_port ({@link #savePort}).</li>
 * </ul>
 *
 * <p>Offsets past the 255 config bytes, or in BAR2-BAR5, are EFAULT here where the sample would
 * read past its arrays; a BAR register offset past 7 reads 0 and ignores writes; the bytes of a
 * wider register read other than the first read 0 (the sample leaves them undefined).
 *
 * <p>Thread-safe: every access holds this object's monitor (the sample's ops_lock); eventfds
 * are signalled under it (they never block).
 */
public final class MttyDevice implements MdevDeviceOps {
    static final int CONFIG_SIZE = 0xff;
    static final int IO_BAR_SIZE = 8;
    private static final int FIFO = 16;
    private static final int SHIFT = 40;

    // 16550 registers and bits (include/uapi/linux/serial_reg.h)
    static final int UART_RX = 0, UART_IER = 1, UART_IIR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5,
            UART_MSR = 6, UART_SCR = 7;
    static final int IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
    static final int IIR_NO_INT = 0x01, IIR_MSI = 0x00, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_RLSI = 0x06;
    static final int FCR_ENABLE_FIFO = 0x01, FCR_CLEAR_RCVR = 0x02, FCR_CLEAR_XMIT = 0x04;
    static final int LCR_DLAB = 0x80;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT2 = 0x08, MCR_AFE = 0x20;
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_DCD = 0x80;

    private static final class Port {
        final int[] reg = new int[8];
        final int[] fifo = new int[FIFO];
        int head;
        int tail;
        int count;
        boolean dlab;
        boolean overrun;
        int divisor;
        int fcr;
        int maxFifo = FIFO;
        int triggerLevel;
    }

    private final int nrPorts;
    private final byte[] config = new byte[CONFIG_SIZE];
    private final int[] barMask = new int[2];
    private final Port[] ports = {new Port(), new Port()};
    /** The num_irqs the last GET_INFO reported (0 before the first). */
    private int infoNumIrqs;
    private int irqIndex = -1;
    private EventFd intxFd;
    private EventFd msiFd;
    private boolean intxMasked;
    private long interrupts;
    private long resets;
    private final MttyMigration migration = new MttyMigration(this);

    MttyDevice(int nrPorts) {
        this.nrPorts = nrPorts;
        ConfigBytes.put32(config, 0x00, 0x32534348);
        ConfigBytes.put16(config, 0x04, 0x0001);
        ConfigBytes.put16(config, 0x06, 0x0200);
        config[0x08] = 0x10;
        config[0x09] = 0x02;
        config[0x0a] = 0x00;
        config[0x0b] = 0x07;
        ConfigBytes.put32(config, 0x10, 0x1);
        barMask[0] = ~IO_BAR_SIZE + 1;
        if (nrPorts == 2) {
            ConfigBytes.put32(config, 0x14, 0x1);
            barMask[1] = ~IO_BAR_SIZE + 1;
        }
        ConfigBytes.put32(config, 0x2c, 0x32534348);
        config[0x34] = 0;
        config[0x3d] = 1;
        // vendor-specific bytes and the "PCI Serial/UART" tag, as the sample lays them out
        config[0x40] = 0x23;
        config[0x43] = (byte) 0x80;
        config[0x44] = 0x23;
        config[0x48] = 0x23;
        config[0x4c] = 0x23;
        byte[] tag = "PCI Serial/UART".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, config, 0x60, tag.length);
    }

    /** Ports on this card (1 or 2). */
    public int nrPorts() {
        return nrPorts;
    }

    /** Interrupts signalled to an eventfd so far. */
    public synchronized long interrupts() {
        return interrupts;
    }

    /** VFIO_DEVICE_RESET calls so far. */
    public synchronized long resets() {
        return resets;
    }

    // ---- ioctls ----

    @Override
    public synchronized DeviceInfo getInfo() {
        infoNumIrqs = VFIO_PCI_NUM_IRQS;
        return new DeviceInfo(VFIO_DEVICE_FLAGS_PCI, VFIO_PCI_NUM_REGIONS, VFIO_PCI_NUM_IRQS);
    }

    @Override
    public synchronized RegionInfo getRegionInfo(int index) {
        if (index < 0 || index >= VFIO_PCI_NUM_REGIONS) {
            throw new ErrnoException("VFIO_DEVICE_GET_REGION_INFO", Errno.EINVAL, "index " + index + " >= "
                    + VFIO_PCI_NUM_REGIONS);
        }
        long size = switch (index) {
            case VFIO_PCI_CONFIG_REGION_INDEX -> CONFIG_SIZE;
            case 0 -> IO_BAR_SIZE;
            case 1 -> nrPorts == 2 ? IO_BAR_SIZE : 0;
            default -> 0;
        };
        return new RegionInfo(index, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, size,
                (long) index << SHIFT, List.of());
    }

    @Override
    public synchronized IrqInfo getIrqInfo(int index) {
        String op = "VFIO_DEVICE_GET_IRQ_INFO";
        if (index < 0 || index >= infoNumIrqs) {
            throw new ErrnoException(op, Errno.EINVAL, "index " + index + " >= num_irqs " + infoNumIrqs
                    + (infoNumIrqs == 0 ? " (no GET_INFO yet)" : ""));
        }
        return switch (index) {
            case VFIO_PCI_INTX_IRQ_INDEX -> new IrqInfo(index,
                    VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED, 1);
            case VFIO_PCI_MSI_IRQ_INDEX -> new IrqInfo(index, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 1);
            default -> throw new ErrnoException(op, Errno.EINVAL, "index " + index + ": mtty offers only INTx and MSI");
        };
    }

    @Override
    public synchronized void setIrqs(IrqSet set) {
        String op = "VFIO_DEVICE_SET_IRQS";
        int flags = set.flags();
        int index = set.index();
        long start = Integer.toUnsignedLong(set.start());
        long count = Integer.toUnsignedLong(set.count());
        // vfio_set_irqs_validate_and_prepare with num_irqs = the last GET_INFO's, max type 5
        if (index < 0 || index >= VFIO_PCI_NUM_IRQS || count >= 0xffff_ffffL - start
                || (flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": bad index, range or flags");
        }
        int dataType = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
        if (dataType != VFIO_IRQ_SET_DATA_NONE && dataType != VFIO_IRQ_SET_DATA_BOOL && dataType != VFIO_IRQ_SET_DATA_EVENTFD) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": exactly one DATA type is needed");
        }
        if (dataType != set.data().typeFlag() || (dataType != VFIO_IRQ_SET_DATA_NONE && set.data().length() < count)) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": data does not match its type or count");
        }
        if (start >= infoNumIrqs || start + count > infoNumIrqs) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": start/count beyond num_irqs " + infoNumIrqs);
        }
        int action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
        switch (index) {
            case VFIO_PCI_INTX_IRQ_INDEX -> {
                switch (action) {
                    case VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK -> {
                        if (irqIndex != VFIO_PCI_INTX_IRQ_INDEX || start != 0 || count != 1) {
                            throw new ErrnoException(op, Errno.EINVAL, set + ": INTx is not the active type or not vector 0 alone");
                        }
                        boolean mask = action == VFIO_IRQ_SET_ACTION_MASK;
                        switch (set.data()) {
                            case IrqData.None n -> intxMasked = mask;
                            case IrqData.Bools b -> {
                                if (b.get(0)) {
                                    intxMasked = mask;
                                }
                            }
                            case IrqData.EventFds e -> throw new ErrnoException(op, Errno.ENOTTY, set
                                    + ": mtty has no (un)mask eventfd");
                        }
                    }
                    case VFIO_IRQ_SET_ACTION_TRIGGER -> trigger(op, set, VFIO_PCI_INTX_IRQ_INDEX, count, start);
                    default -> {
                        // no action bit, or several: the sample's switch matches none and succeeds
                    }
                }
            }
            case VFIO_PCI_MSI_IRQ_INDEX -> {
                switch (action) {
                    case VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK ->
                        throw new ErrnoException(op, Errno.ENOTTY, set + ": MSI cannot be masked");
                    case VFIO_IRQ_SET_ACTION_TRIGGER -> trigger(op, set, VFIO_PCI_MSI_IRQ_INDEX, count, start);
                    default -> {
                    }
                }
            }
            default -> throw new ErrnoException(op, Errno.ENOTTY, set + ": mtty has no "
                    + (index == VFIO_PCI_MSIX_IRQ_INDEX ? "MSI-X" : index == VFIO_PCI_ERR_IRQ_INDEX ? "ERR" : "REQ") + " interrupt");
        }
    }

    private void trigger(String op, IrqSet set, int index, long count, long start) {
        boolean intx = index == VFIO_PCI_INTX_IRQ_INDEX;
        if (irqIndex == index && count == 0 && set.data() instanceof IrqData.None) {
            disable(index);
            return;
        }
        if (!(irqIndex == index || irqIndex == -1) || start != 0 || count != 1) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": " + (irqIndex != index && irqIndex != -1
                    ? (intx ? "MSI" : "INTx") + " is the active type" : "only vector 0 exists"));
        }
        if (set.data() instanceof IrqData.EventFds e) {
            disable(index);
            EventFd fd = e.fds().get(0);
            if (fd == null) {
                return;
            }
            if (fd.isClosed()) {
                throw new ErrnoException(op, Errno.EBADF, set + ": eventfd is closed");
            }
            if (intx) {
                intxFd = fd;
            } else {
                msiFd = fd;
            }
            irqIndex = index;
            return;
        }
        if (irqIndex != index) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": " + (intx ? "INTx" : "MSI") + " has no eventfd");
        }
        if (set.data() instanceof IrqData.None || (set.data() instanceof IrqData.Bools b && b.get(0))) {
            interrupt();
        }
    }

    private void disable(int index) {
        if (index == VFIO_PCI_INTX_IRQ_INDEX && intxFd != null) {
            intxFd = null;
            intxMasked = false;
            irqIndex = -1;
        } else if (index == VFIO_PCI_MSI_IRQ_INDEX && msiFd != null) {
            msiFd = null;
            irqIndex = -1;
        }
    }

    /** mtty_trigger_interrupt: MSI fires; INTx fires unless masked, then masks itself. */
    private void interrupt() {
        if (irqIndex == VFIO_PCI_MSI_IRQ_INDEX) {
            if (msiFd != null) {
                msiFd.signal();
                interrupts++;
            }
        } else if (irqIndex == VFIO_PCI_INTX_IRQ_INDEX) {
            if (intxFd != null && !intxMasked) {
                intxFd.signal();
                interrupts++;
                intxMasked = true;
            }
        }
    }

    @Override
    public synchronized void reset() {
        resets++; // mtty_reset only ends migration states; the UARTs keep their state
        migration.reset();
    }

    @Override
    public synchronized void closeDevice() {
        migration.disableFiles();
        disable(VFIO_PCI_INTX_IRQ_INDEX);
        disable(VFIO_PCI_MSI_IRQ_INDEX);
    }

    @Override
    public org.jvmm.vfio.VfioMigrationOps migrationOps() {
        return migration;
    }

    @Override
    public org.jvmm.vfio.VfioLogOps logOps() {
        return migration;
    }

    // ---- the state image's struct serial_port (36 bytes) ----

    /**
     * Writes port {@code i} as the sample's struct serial_port: uart_reg[8] at 0, the loopback
     * FIFO (fifo[16] at 8, head 24, tail 25, count 26), dlab 27, overrun 28, divisor (u16) at 30,
     * fcr 32, max_fifo_size 33, intr_trigger_level 34; the padding bytes 29 and 35 are 0.
     */
    synchronized void savePort(int i, MemorySegment out) {
        Port s = ports[i];
        for (int r = 0; r < 8; r++) {
            out.set(ValueLayout.JAVA_BYTE, r, (byte) s.reg[r]);
        }
        for (int f = 0; f < FIFO; f++) {
            out.set(ValueLayout.JAVA_BYTE, 8 + f, (byte) s.fifo[f]);
        }
        out.set(ValueLayout.JAVA_BYTE, 24, (byte) s.head);
        out.set(ValueLayout.JAVA_BYTE, 25, (byte) s.tail);
        out.set(ValueLayout.JAVA_BYTE, 26, (byte) s.count);
        out.set(ValueLayout.JAVA_BYTE, 27, (byte) (s.dlab ? 1 : 0));
        out.set(ValueLayout.JAVA_BYTE, 28, (byte) (s.overrun ? 1 : 0));
        out.set(ValueLayout.JAVA_BYTE, 29, (byte) 0);
        out.set(ValueLayout.JAVA_SHORT_UNALIGNED, 30, (short) s.divisor);
        out.set(ValueLayout.JAVA_BYTE, 32, (byte) s.fcr);
        out.set(ValueLayout.JAVA_BYTE, 33, (byte) s.maxFifo);
        out.set(ValueLayout.JAVA_BYTE, 34, (byte) s.triggerLevel);
        out.set(ValueLayout.JAVA_BYTE, 35, (byte) 0);
    }

    /**
     * Loads port {@code i} from a struct serial_port (the layout of {@link #savePort}). Every
     * field is taken as the sample's memcpy takes it; a FIFO index past 15, which the sample would
     * use to index past its FIFO, is used modulo 16 here.
     */
    synchronized void loadPort(int i, MemorySegment in) {
        Port s = ports[i];
        for (int r = 0; r < 8; r++) {
            s.reg[r] = in.get(ValueLayout.JAVA_BYTE, r) & 0xff;
        }
        for (int f = 0; f < FIFO; f++) {
            s.fifo[f] = in.get(ValueLayout.JAVA_BYTE, 8 + f) & 0xff;
        }
        s.head = in.get(ValueLayout.JAVA_BYTE, 24) & 0xff;
        s.tail = in.get(ValueLayout.JAVA_BYTE, 25) & 0xff;
        s.count = in.get(ValueLayout.JAVA_BYTE, 26) & 0xff;
        s.dlab = in.get(ValueLayout.JAVA_BYTE, 27) != 0;
        s.overrun = in.get(ValueLayout.JAVA_BYTE, 28) != 0;
        s.divisor = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, 30) & 0xffff;
        s.fcr = in.get(ValueLayout.JAVA_BYTE, 32) & 0xff;
        s.maxFifo = in.get(ValueLayout.JAVA_BYTE, 33) & 0xff;
        s.triggerLevel = in.get(ValueLayout.JAVA_BYTE, 34) & 0xff;
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

    private synchronized long access(String op, long pos, MemorySegment buffer, boolean write) {
        long count = buffer.byteSize();
        long done = 0;
        while (done < count) {
            long left = count - done;
            long at = pos + done;
            int size = left >= 4 && at % 4 == 0 ? 4 : left >= 2 && at % 2 == 0 ? 2 : 1;
            long value = 0;
            if (write) {
                for (int i = 0; i < size; i++) {
                    value |= (long) (buffer.get(ValueLayout.JAVA_BYTE, done + i) & 0xff) << (8 * i);
                }
            }
            long r = one(at, size, (int) value, write);
            if (r < 0) {
                throw new ErrnoException(op, Errno.EFAULT, "offset 0x" + Long.toHexString(at) + " size " + size
                        + ": outside config space, BAR0 and BAR1");
            }
            if (!write) {
                for (int i = 0; i < size; i++) {
                    buffer.set(ValueLayout.JAVA_BYTE, done + i, (byte) (r >>> (8 * i)));
                }
            }
            done += size;
        }
        return count;
    }

    /** mdev_access for one piece: the value read (0..2^32-1), 0 for a write, -1 when refused. */
    private long one(long pos, int size, int value, boolean write) {
        long index = pos >>> SHIFT;
        long offset = pos & ((1L << SHIFT) - 1);
        if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
            if (offset + size > CONFIG_SIZE) {
                return -1;
            }
            if (write) {
                configWrite((int) offset, value);
                return 0;
            }
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (long) (config[(int) offset + i] & 0xff) << (8 * i);
            }
            return v;
        }
        if (index == 0 || index == 1) {
            if (write) {
                barWrite(ports[(int) index], (int) offset, value & 0xff);
                return 0;
            }
            return barRead(ports[(int) index], (int) offset);
        }
        return -1;
    }

    private void configWrite(int offset, int value) {
        switch (offset) {
            case 0x3c -> config[0x3c] = (byte) value;
            case 0x10, 0x14 -> {
                int bar = offset == 0x10 ? 0 : 1;
                if (nrPorts == 1 && bar == 1) {
                    ConfigBytes.put32(config, offset, 0);
                    return;
                }
                int addr = value;
                if (addr == 0xffffffff) {
                    addr &= barMask[bar];
                }
                addr |= ConfigBytes.get32(config, offset) & 0x3;
                ConfigBytes.put32(config, offset, addr);
            }
            case 0x18, 0x1c, 0x20 -> ConfigBytes.put32(config, offset, 0);
            default -> {
                // command, status, interrupt pin and everything else: ignored
            }
        }
    }

    private void barWrite(Port s, int offset, int data) {
        switch (offset) {
            case UART_RX -> {
                if (s.dlab) {
                    s.divisor |= data;
                    return;
                }
                if (s.count < s.maxFifo) {
                    s.fifo[s.head & (FIFO - 1)] = data;
                    s.count = (s.count + 1) & 0xff;
                    s.head = (s.head + 1) & (FIFO - 1);
                    s.overrun = false;
                    if ((s.reg[UART_IER] & IER_RDI) != 0 && s.count == s.triggerLevel) {
                        interrupt();
                    }
                } else {
                    s.overrun = true;
                    if ((s.reg[UART_IER] & IER_RLSI) != 0) {
                        interrupt();
                    }
                }
            }
            case UART_IER -> {
                if (s.dlab) {
                    s.divisor |= data << 8;
                } else {
                    s.reg[UART_IER] = data;
                    if ((data & IER_THRI) != 0 && s.head == s.tail) {
                        interrupt();
                    }
                }
            }
            case UART_IIR -> { // FCR on write
                s.fcr = data;
                if ((data & (FCR_CLEAR_RCVR | FCR_CLEAR_XMIT)) != 0) {
                    s.count = 0;
                    s.head = 0;
                    s.tail = 0;
                }
                s.triggerLevel = 1; // the sample decodes the trigger bits, then forces 1
                s.maxFifo = (data & FCR_ENABLE_FIFO) != 0 ? FIFO : 1;
            }
            case UART_LCR -> {
                if ((data & LCR_DLAB) != 0) {
                    s.dlab = true;
                    s.divisor = 0;
                } else {
                    s.dlab = false;
                }
                s.reg[UART_LCR] = data;
            }
            case UART_MCR -> {
                s.reg[UART_MCR] = data;
                if ((s.reg[UART_IER] & IER_MSI) != 0 && (data & MCR_OUT2) != 0) {
                    interrupt();
                }
                if ((s.reg[UART_IER] & IER_MSI) != 0 && (data & (MCR_RTS | MCR_DTR)) != 0) {
                    interrupt();
                }
            }
            case UART_SCR -> s.reg[UART_SCR] = data;
            default -> {
                // LSR and MSR are read-only; offsets past 7 go nowhere
            }
        }
    }

    private int barRead(Port s, int offset) {
        switch (offset) {
            case UART_RX -> {
                if (s.dlab) {
                    return s.divisor & 0xff;
                }
                int v = 0;
                if (s.head != s.tail) {
                    v = s.fifo[s.tail & (FIFO - 1)];
                    s.count = (s.count - 1) & 0xff;
                    s.tail = (s.tail + 1) & (FIFO - 1);
                }
                if (s.head == s.tail && (s.reg[UART_IER] & IER_THRI) != 0) {
                    interrupt();
                }
                return v;
            }
            case UART_IER -> {
                return s.dlab ? (s.divisor >>> 8) & 0xff : s.reg[UART_IER] & 0x0f;
            }
            case UART_IIR -> {
                int ier = s.reg[UART_IER];
                int v = 0;
                if ((ier & IER_RLSI) != 0 && s.overrun) {
                    v |= IIR_RLSI;
                }
                if ((ier & IER_RDI) != 0 && s.count >= s.triggerLevel) {
                    v |= IIR_RDI;
                }
                if ((ier & IER_THRI) != 0 && s.head == s.tail) {
                    v |= IIR_THRI;
                }
                if ((ier & IER_MSI) != 0 && (s.reg[UART_MCR] & (MCR_RTS | MCR_DTR)) != 0) {
                    v |= IIR_MSI;
                }
                if (v == 0) {
                    v = IIR_NO_INT;
                }
                return v | 0xc0;
            }
            case UART_LCR, UART_MCR, UART_SCR -> {
                return s.reg[offset];
            }
            case UART_LSR -> {
                int v = 0;
                if (s.head != s.tail) {
                    v |= LSR_DR;
                }
                if (s.overrun) {
                    v |= LSR_OE;
                }
                if (s.head == s.tail) {
                    v |= LSR_TEMT | LSR_THRE;
                }
                return v;
            }
            case UART_MSR -> {
                int v = MSR_DSR | MSR_DDSR | MSR_DCD;
                if ((s.reg[UART_MCR] & MCR_AFE) != 0) {
                    if (s.count < s.maxFifo) {
                        v |= MSR_CTS | MSR_DCTS;
                    }
                } else {
                    v |= MSR_CTS | MSR_DCTS;
                }
                return v;
            }
            default -> {
                return 0;
            }
        }
    }
}
