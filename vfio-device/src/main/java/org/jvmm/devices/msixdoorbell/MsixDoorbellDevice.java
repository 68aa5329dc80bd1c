package org.jvmm.devices.msixdoorbell;

import java.util.List;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.GuestErrorLog;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.MsixSpec;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;

/**
 * A minimal MSI-X function for testing interrupt delivery (in the spirit of QEMU's pci-testdev,
 * not a copy of any real device): one 16 KiB memory BAR0 holding a few registers, the MSI-X
 * vector table ({@link #VECTORS} entries at {@link #TABLE_OFFSET}) and the pending bit array (at
 * {@link #PBA_OFFSET}). Writing a vector number to the doorbell register sends that MSI-X message
 * when MSI-X is enabled; otherwise (or for a vector beyond the table) the write is only counted
 * as dropped; a vector beyond the table is also recorded in {@link #guestErrors()}. The device has
 * no INTx pin, no MSI and no DMA.
 *
 * <p>The table and PBA themselves live in the host's hands (the kernel programs them through
 * VFIO_DEVICE_SET_IRQS); register reads there return 0, as the user never sees the real table.
 * Other offsets read all-ones. Registers are 4 bytes, little-endian.
 *
 * <p>Threads: any thread may access the registers; counters are guarded by the instance lock and
 * interrupts are signalled after it is released.
 */
public final class MsixDoorbellDevice implements PciDeviceModel {
    public static final int VENDOR_ID = 0x1234;
    public static final int DEVICE_ID = 0x11e9;
    /** Reads "MSIX" in ASCII, little-endian. */
    public static final int ID_VALUE = 0x5849_534d;
    public static final int VECTORS = 2;
    public static final long BAR0_SIZE = 0x4000;
    public static final long TABLE_OFFSET = 0x2000;
    public static final long PBA_OFFSET = 0x3000;

    public static final int REG_ID = 0x00;
    /** Write: the vector to raise. Read: doorbell writes that sent a message. */
    public static final int REG_DOORBELL = 0x04;
    /** Read: doorbell writes that sent nothing (MSI-X off, or no such vector). */
    public static final int REG_DROPPED = 0x08;

    private final GuestErrorLog guestErrors = new GuestErrorLog("msix-doorbell");
    private InterruptSink irq;
    private long sent;
    private long dropped;

    @Override
    public PciIdentity identity() {
        return new PciIdentity(VENDOR_ID, DEVICE_ID, 0xff0000, 0x01, 0x1af4, 0x1100);
    }

    @Override
    public List<BarSpec> bars() {
        return List.of(BarSpec.mem32(0, BAR0_SIZE));
    }

    @Override
    public int interruptPin() {
        return 0;
    }

    @Override
    public int msiVectors() {
        return 0;
    }

    @Override
    public MsixSpec msix() {
        return new MsixSpec(VECTORS, 0, TABLE_OFFSET, 0, PBA_OFFSET);
    }

    @Override
    public boolean isPcie() {
        return false;
    }

    @Override
    public void connect(DmaPort dma, InterruptSink interrupts) {
        this.irq = interrupts;
    }

    @Override
    public synchronized long barRead(int bar, long offset, int size) {
        long allOnes = size == 8 ? -1L : (1L << (8 * size)) - 1;
        if (bar != 0 || size != 4) {
            return allOnes;
        }
        if (Long.compareUnsigned(offset, BAR0_SIZE) >= 0) {
            return allOnes;
        }
        if (offset >= TABLE_OFFSET) {
            return 0;
        }
        return switch ((int) offset) {
            case REG_ID -> ID_VALUE & 0xffff_ffffL;
            case REG_DOORBELL -> sent & 0xffff_ffffL;
            case REG_DROPPED -> dropped & 0xffff_ffffL;
            default -> allOnes;
        };
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        if (bar != 0 || size != 4 || offset != REG_DOORBELL) {
            return;
        }
        InterruptSink sink;
        synchronized (this) {
            sink = irq;
            if (Long.compareUnsigned(value, VECTORS) >= 0) {
                dropped++;
                guestErrors.log("doorbell-vector", "doorbell write of vector 0x" + Long.toHexString(value)
                        + " beyond the " + VECTORS + "-entry MSI-X table; dropped");
                return;
            }
            if (sink == null || !sink.msixEnabled()) {
                dropped++;
                return;
            }
            sent++;
        }
        sink.signalMsi((int) value);
    }

    @Override
    public GuestErrorLog guestErrors() {
        return guestErrors;
    }

    @Override
    public synchronized void reset() {
        sent = 0;
        dropped = 0;
    }

    /** Doorbell writes that sent an MSI-X message to the host side. */
    public synchronized long sent() {
        return sent;
    }

    /** Doorbell writes that sent nothing. */
    public synchronized long dropped() {
        return dropped;
    }
}
