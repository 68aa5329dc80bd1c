package org.jvmm.devices.edu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.Executor;
import org.jvmm.address.Iova;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.GuestErrorLog;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;

/**
 * QEMU's educational PCI device "edu" (1234:11e8), written from QEMU docs/specs/edu.rst: a 1 MiB
 * MMIO BAR0 with an identification register (0x010000ed), a liveness check (reads back the
 * inverse of what was written), a factorial unit with status bits and an interrupt, interrupt
 * status / raise / acknowledge registers, and a DMA engine (source, destination, count, command)
 * moving bytes between memory and its 4 KiB buffer at device address 0x40000. Interrupts are MSI
 * (one vector, when enabled) or INTx.
 *
 * <p>Registers are 4 bytes wide below 0x80 and 4 or 8 bytes from 0x80; other accesses read
 * all-ones and are ignored when written. Register values are in {@code byteOrder} on the bus:
 * little-endian as on x86, big-endian as QEMU's native-endian device on pseries.
 *
 * <p>DMA addresses are I/O virtual addresses, clamped to the device's 28-bit DMA mask as QEMU
 * does (a clamped address is logged as a guest error, as current QEMU does). The device-side range
 * [addr, addr + count) must lie in the 4 KiB buffer, compared unsigned and without overflow (a
 * count of 0 moves nothing and completes). A command outside it is refused: nothing moves, the
 * command completes (RUN clears, the interrupt is raised if asked) and the refusal is recorded
 * in {@link #guestErrors()} and counted in {@link #rejectedDmaCommands()}. This deliberately
 * differs from QEMU releases whose edu_check_range calls hw_error, which aborts the whole VMM; later
 * QEMU logs LOG_GUEST_ERROR instead, which is what this model does. A transfer the IOMMU refuses
 * moves nothing (the fault is recorded by the platform) and the command still completes.
 *
 * <p>Threads: the factorial and the DMA run on {@code engine}: pass {@code Runnable::run} (the
 * default) to run them synchronously on the thread that writes the register, or a device thread's
 * executor to have them run concurrently with the vCPU, with the COMPUTING and RUN bits visible
 * meanwhile. One lock guards the registers and the buffer; interrupts are signalled after it is
 * released.
 */
public final class EduDevice implements PciDeviceModel {
    public static final int VENDOR_ID = 0x1234;
    public static final int DEVICE_ID = 0x11e8;
    public static final int ID_REGISTER = 0x010000ed;

    public static final int REG_ID = 0x00;
    public static final int REG_LIVENESS = 0x04;
    public static final int REG_FACTORIAL = 0x08;
    public static final int REG_STATUS = 0x20;
    public static final int REG_IRQ_STATUS = 0x24;
    public static final int REG_IRQ_RAISE = 0x60;
    public static final int REG_IRQ_ACK = 0x64;
    public static final int REG_DMA_SRC = 0x80;
    public static final int REG_DMA_DST = 0x88;
    public static final int REG_DMA_COUNT = 0x90;
    public static final int REG_DMA_CMD = 0x98;
    /** PASID mode only: the PASID (20 bits) the DMA is tagged with when the command has {@link #DMA_CMD_PASID}. */
    public static final int REG_DMA_PASID = 0xa0;

    public static final int STATUS_COMPUTING = 0x01;
    public static final int STATUS_IRQFACT = 0x80;
    public static final int DMA_CMD_RUN = 0x1;
    public static final int DMA_CMD_TO_RAM = 0x2;
    public static final int DMA_CMD_IRQ = 0x4;
    /** PASID mode only: tag the DMA with the PASID register; addresses are virtual addresses of that PASID's address space. */
    public static final int DMA_CMD_PASID = 0x8;
    /** Page requests one PASID DMA command may make for the same page before it gives up. */
    public static final int PRI_RETRIES = 2;
    public static final int FACT_IRQ = 0x1;
    public static final int DMA_IRQ = 0x100;

    public static final long DMA_BUFFER_START = 0x40000;
    public static final int DMA_BUFFER_SIZE = 4096;
    public static final long DMA_MASK = (1L << 28) - 1;
    public static final long BAR0_SIZE = 1L << 20;

    private final ByteOrder byteOrder;
    private final Executor engine;
    private final long dmaMask;
    private final MemorySegment buffer = Arena.ofAuto().allocate(DMA_BUFFER_SIZE, 8);
    private final Object lock = new Object();
    private DmaPort dma;
    private InterruptSink irq;

    private int liveness;
    private int factorial;
    private int status;
    private int irqStatus;
    private long dmaSrc;
    private long dmaDst;
    private long dmaCount;
    private long dmaCmd;
    private long rejectedDma;
    private final GuestErrorLog guestErrors = new GuestErrorLog("edu");
    private long dmaBytesMoved;
    private final boolean pasidMode;
    private int dmaPasid;
    private long pasidDone;
    private int pasidRetries;
    private long pageRequests;
    private long pasidDmaFailures;

    /**
     * @param byteOrder the register byte order on the bus (LITTLE_ENDIAN for x86, BIG_ENDIAN for pseries)
     * @param engine where factorial and DMA work runs ({@code Runnable::run}: synchronously)
     */
    public EduDevice(ByteOrder byteOrder, Executor engine) {
        this(byteOrder, engine, DMA_MASK);
    }

    /**
     * @param dmaMask the device's DMA mask (QEMU's edu {@code dma_mask} property; default 28 bits):
     *        DMA addresses are clamped to it
     */
    public EduDevice(ByteOrder byteOrder, Executor engine, long dmaMask) {
        this(byteOrder, engine, dmaMask, false);
    }

    /**
     * @param pasidMode true for the PASID-capable variant: a PCIe function with PASID (20 bits),
     *        ATS and PRI capabilities, the {@link #REG_DMA_PASID} register and the
     *        {@link #DMA_CMD_PASID} command bit. A PASID-tagged DMA uses virtual addresses of the
     *        PASID's address space (no DMA-mask clamp), moves page by page, and on a translation
     *        fault sends a page request and waits: on SUCCESS it retries the page (at most
     *        {@link #PRI_RETRIES} times), on INVALID it stops there, logs a guest error and
     *        completes the command. The model does not consult the PASID/PRI enable bits of its
     *        config space (the host platform owns it).
     */
    public EduDevice(ByteOrder byteOrder, Executor engine, long dmaMask, boolean pasidMode) {
        this.byteOrder = byteOrder;
        this.engine = engine;
        this.dmaMask = dmaMask;
        this.pasidMode = pasidMode;
    }

    /** A little-endian edu in PASID mode whose engine runs synchronously (page responses continue it on the answering thread). */
    public static EduDevice withPasid() {
        return new EduDevice(ByteOrder.LITTLE_ENDIAN, Runnable::run, DMA_MASK, true);
    }

    public boolean pasidMode() {
        return pasidMode;
    }

    /** A little-endian (x86) edu whose engine runs synchronously. */
    public EduDevice() {
        this(ByteOrder.LITTLE_ENDIAN, Runnable::run);
    }

    @Override
    public PciIdentity identity() {
        // class code 00ff00: QEMU's hw/misc/edu.c sets the 16-bit class word at 0x0a to PCI_CLASS_OTHERS (0x00ff)
        return new PciIdentity(VENDOR_ID, DEVICE_ID, 0x00ff00, 0x10, 0x1af4, 0x1100);
    }

    @Override
    public List<BarSpec> bars() {
        return List.of(BarSpec.mem32(0, BAR0_SIZE));
    }

    @Override
    public int interruptPin() {
        return 1;
    }

    @Override
    public int msiVectors() {
        return 1;
    }

    @Override
    public boolean isPcie() {
        return pasidMode;
    }

    @Override
    public org.jvmm.pci.PasidSpec pasid() {
        return pasidMode ? new org.jvmm.pci.PasidSpec(20, false, false, true, true, 32) : null;
    }

    @Override
    public void connect(DmaPort dma, InterruptSink interrupts) {
        this.dma = dma;
        this.irq = interrupts;
    }

    public ByteOrder byteOrder() {
        return byteOrder;
    }

    private long toBus(long v, int size) {
        if (byteOrder == ByteOrder.LITTLE_ENDIAN) {
            return v;
        }
        return size == 8 ? Long.reverseBytes(v) : Integer.reverseBytes((int) v) & 0xffff_ffffL;
    }

    @Override
    public long barRead(int bar, long offset, int size) {
        long allOnes = size == 8 ? -1L : (1L << (8 * size)) - 1;
        if (bar != 0 || Long.compareUnsigned(offset, BAR0_SIZE) >= 0 || (offset < 0x80 && size != 4)
                || (offset >= 0x80 && size != 4 && size != 8)) {
            return allOnes;
        }
        long v;
        synchronized (lock) {
            v = switch ((int) offset) {
                case REG_ID -> ID_REGISTER;
                case REG_LIVENESS -> ~liveness & 0xffff_ffffL;
                case REG_FACTORIAL -> factorial & 0xffff_ffffL;
                case REG_STATUS -> status;
                case REG_IRQ_STATUS -> irqStatus & 0xffff_ffffL;
                case REG_DMA_SRC -> dmaSrc;
                case REG_DMA_DST -> dmaDst;
                case REG_DMA_COUNT -> dmaCount;
                case REG_DMA_CMD -> dmaCmd;
                case REG_DMA_PASID -> pasidMode ? dmaPasid : allOnes;
                default -> allOnes;
            };
        }
        if (size == 4) {
            v &= 0xffff_ffffL;
        }
        return toBus(v, size);
    }

    @Override
    public void barWrite(int bar, long offset, int size, long busValue) {
        if (bar != 0 || Long.compareUnsigned(offset, BAR0_SIZE) >= 0 || (offset < 0x80 && size != 4)
                || (offset >= 0x80 && size != 4 && size != 8)) {
            return;
        }
        long val = toBus(busValue, size);
        Runnable after = null;
        synchronized (lock) {
            switch ((int) offset) {
                case REG_LIVENESS -> liveness = (int) val;
                case REG_FACTORIAL -> {
                    if ((status & STATUS_COMPUTING) == 0) {
                        factorial = (int) val;
                        status |= STATUS_COMPUTING;
                        after = () -> engine.execute(this::computeFactorial);
                    }
                }
                case REG_STATUS -> status = (val & STATUS_IRQFACT) != 0 ? status | STATUS_IRQFACT : status & ~STATUS_IRQFACT;
                case REG_IRQ_RAISE -> after = raise((int) val);
                case REG_IRQ_ACK -> after = lower((int) val);
                case REG_DMA_SRC -> {
                    if ((dmaCmd & DMA_CMD_RUN) == 0) {
                        dmaSrc = val;
                    }
                }
                case REG_DMA_DST -> {
                    if ((dmaCmd & DMA_CMD_RUN) == 0) {
                        dmaDst = val;
                    }
                }
                case REG_DMA_COUNT -> {
                    if ((dmaCmd & DMA_CMD_RUN) == 0) {
                        dmaCount = val;
                    }
                }
                case REG_DMA_PASID -> {
                    if (pasidMode && (dmaCmd & DMA_CMD_RUN) == 0) {
                        dmaPasid = (int) (val & 0xf_ffff);
                    }
                }
                case REG_DMA_CMD -> {
                    if ((val & DMA_CMD_RUN) != 0 && (dmaCmd & DMA_CMD_RUN) == 0) {
                        dmaCmd = val;
                        after = () -> engine.execute(this::runDma);
                    }
                }
                default -> {
                }
            }
        }
        if (after != null) {
            after.run();
        }
    }

    /** irq_status |= val and assert the interrupt; returns the signalling to do after the lock. */
    private Runnable raise(int val) {
        irqStatus |= val;
        if (irqStatus == 0) {
            return null;
        }
        InterruptSink sink = irq;
        return () -> {
            if (sink.msiEnabled()) {
                sink.signalMsi(0);
            } else {
                sink.setIntx(true);
            }
        };
    }

    private Runnable lower(int val) {
        irqStatus &= ~val;
        if (irqStatus != 0) {
            return null;
        }
        InterruptSink sink = irq;
        return () -> {
            if (!sink.msiEnabled()) {
                sink.setIntx(false);
            }
        };
    }

    private void computeFactorial() {
        Runnable after = null;
        synchronized (lock) {
            // QEMU multiplies an unsigned 32-bit count down; 34! already holds 2^32, so from 34 on
            // the product modulo 2^32 is 0 and a guest's huge count costs nothing.
            long n = factorial & 0xffff_ffffL;
            int r = n >= 34 ? 0 : 1;
            for (int i = (int) Math.min(n, 33); i > 0 && r != 0; i--) {
                r *= i;
            }
            factorial = r;
            status &= ~STATUS_COMPUTING;
            if ((status & STATUS_IRQFACT) != 0) {
                after = raise(FACT_IRQ);
            }
        }
        if (after != null) {
            after.run();
        }
    }

    private void runDma() {
        Runnable after = null;
        synchronized (lock) {
            if (pasidMode && (dmaCmd & DMA_CMD_PASID) != 0) {
                long devAddr = (dmaCmd & DMA_CMD_TO_RAM) != 0 ? dmaSrc : dmaDst;
                if (inBuffer(devAddr, dmaCount)) {
                    pasidDone = 0;
                    pasidRetries = 0;
                    after = this::pasidStep;
                }
            }
        }
        if (after != null) {
            after.run();
            return;
        }
        synchronized (lock) {
            boolean toRam = (dmaCmd & DMA_CMD_TO_RAM) != 0;
            long devAddr = toRam ? dmaSrc : dmaDst;
            long ramAddrRaw = toRam ? dmaDst : dmaSrc;
            long ramAddr = ramAddrRaw & dmaMask;
            long count = dmaCount;
            if (!inBuffer(devAddr, count)) {
                rejectedDma++;
                guestErrors.log("dma-range", "DMA of 0x" + Long.toHexString(count) + " bytes at device address 0x"
                        + Long.toHexString(devAddr) + " is outside the buffer [0x" + Long.toHexString(DMA_BUFFER_START)
                        + ", 0x" + Long.toHexString(DMA_BUFFER_START + DMA_BUFFER_SIZE) + "); command refused");
            } else if (count != 0) {
                if (ramAddr != ramAddrRaw) {
                    guestErrors.log("dma-clamp", "DMA address 0x" + Long.toHexString(ramAddrRaw) + " clamped to 0x"
                            + Long.toHexString(ramAddr) + " by the DMA mask 0x" + Long.toHexString(dmaMask));
                }
                MemorySegment slice = buffer.asSlice(devAddr - DMA_BUFFER_START, count);
                long moved = toRam ? dma.write(new Iova(ramAddr), slice) : dma.read(new Iova(ramAddr), slice);
                dmaBytesMoved += moved;
            }
            dmaCmd &= ~DMA_CMD_RUN;
            if ((dmaCmd & DMA_CMD_IRQ) != 0) {
                after = raise(DMA_IRQ);
            }
        }
        if (after != null) {
            after.run();
        }
    }

    /** One round of a PASID DMA: moves page by page until done or a fault, which becomes a page request. */
    private void pasidStep() {
        Runnable after = null;
        long faultAddr = -1;
        boolean toRam;
        int pasid;
        synchronized (lock) {
            toRam = (dmaCmd & DMA_CMD_TO_RAM) != 0;
            pasid = dmaPasid;
            long devAddr = toRam ? dmaSrc : dmaDst;
            long va = toRam ? dmaDst : dmaSrc;
            while (Long.compareUnsigned(pasidDone, dmaCount) < 0) {
                long addr = va + pasidDone;
                long chunk = Math.min(dmaCount - pasidDone, 4096 - (addr & 0xfff));
                MemorySegment slice = buffer.asSlice(devAddr - DMA_BUFFER_START + pasidDone, chunk);
                long moved = toRam ? dma.write(pasid, new Iova(addr), slice) : dma.read(pasid, new Iova(addr), slice);
                if (moved == chunk) {
                    pasidDone += chunk;
                    dmaBytesMoved += chunk;
                    pasidRetries = 0;
                    continue;
                }
                if (pasidRetries >= PRI_RETRIES) {
                    pasidDmaFailures++;
                    guestErrors.log("pasid-dma", "PASID " + pasid + " DMA at 0x" + Long.toHexString(addr)
                            + " still faults after " + PRI_RETRIES + " page requests; command stopped");
                    break;
                }
                pasidRetries++;
                pageRequests++;
                faultAddr = addr;
                break;
            }
            if (faultAddr == -1) {
                after = completeDma();
            }
        }
        if (faultAddr != -1) {
            dma.pageRequest(pasid, new Iova(faultAddr), toRam, code -> engine.execute(() -> pageResponse(code)));
        }
        if (after != null) {
            after.run();
        }
    }

    private void pageResponse(int code) {
        if (code == 0) {
            pasidStep();
            return;
        }
        Runnable after;
        synchronized (lock) {
            pasidDmaFailures++;
            guestErrors.log("pasid-dma", "PASID " + dmaPasid + " page request answered " + (code == 1 ? "INVALID" : "FAILURE")
                    + "; command stopped after 0x" + Long.toHexString(pasidDone) + " bytes");
            after = completeDma();
        }
        if (after != null) {
            after.run();
        }
    }

    /** RUN clears and the DMA interrupt is raised if asked: the signalling to do after the lock. Caller holds the lock. */
    private Runnable completeDma() {
        dmaCmd &= ~DMA_CMD_RUN;
        return (dmaCmd & DMA_CMD_IRQ) != 0 ? raise(DMA_IRQ) : null;
    }

    /** Page requests the engine sent (PASID mode). */
    public long pageRequests() {
        synchronized (lock) {
            return pageRequests;
        }
    }

    /** PASID DMA commands that stopped on an unserved page (PASID mode). */
    public long pasidDmaFailures() {
        synchronized (lock) {
            return pasidDmaFailures;
        }
    }

    /** True while a DMA command runs (RUN set), e.g. waiting for a page response. */
    public boolean dmaRunning() {
        synchronized (lock) {
            return (dmaCmd & DMA_CMD_RUN) != 0;
        }
    }

    /**
     * True when [devAddr, devAddr + count) lies in the DMA buffer. Both are unsigned 64-bit guest
     * values: compared unsigned and with the end never computed, so no count wraps past 2^64.
     */
    static boolean inBuffer(long devAddr, long count) {
        long off = devAddr - DMA_BUFFER_START;
        return Long.compareUnsigned(devAddr, DMA_BUFFER_START) >= 0
                && Long.compareUnsigned(off, DMA_BUFFER_SIZE) <= 0
                && Long.compareUnsigned(count, DMA_BUFFER_SIZE - off) <= 0;
    }

    @Override
    public GuestErrorLog guestErrors() {
        return guestErrors;
    }

    @Override
    public void reset() {
        synchronized (lock) {
            liveness = 0;
            factorial = 0;
            status = 0;
            irqStatus = 0;
            dmaSrc = 0;
            dmaDst = 0;
            dmaCount = 0;
            dmaCmd = 0;
            dmaPasid = 0;
            buffer.fill((byte) 0);
        }
    }

    /** A copy of the 4 KiB DMA buffer (for inspection; the guest cannot read it directly). */
    public byte[] bufferSnapshot() {
        synchronized (lock) {
            return buffer.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** DMA commands dropped because their device-side range left the buffer. */
    public long rejectedDmaCommands() {
        synchronized (lock) {
            return rejectedDma;
        }
    }

    /** Bytes the DMA engine moved through the IOMMU so far. */
    public long dmaBytesMoved() {
        synchronized (lock) {
            return dmaBytesMoved;
        }
    }
}
