package org.jvmm.devices.ivshmem;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;

/**
 * ivshmem-plain (1af4:1110, revision 1), written from QEMU docs/specs/ivshmem-spec.rst: BAR0 holds
 * 256 bytes of registers (Interrupt Mask and Interrupt Status, read/write and unused by a device
 * without interrupts; IVPosition, read-only, 0 when not configured for interrupts; Doorbell,
 * write-only, ignored without interrupts); BAR2 is the shared memory, a 64-bit prefetchable
 * memory BAR backed by a {@link HostMapping} the caller owns, and mmap-able.
 *
 * <p>Register values are in {@code byteOrder} on the bus. Thread-safe: registers are guarded by
 * this object's monitor; the shared memory is shared on purpose (no lock).
 */
public final class IvshmemPlainDevice implements PciDeviceModel {
    public static final int VENDOR_ID = 0x1af4;
    public static final int DEVICE_ID = 0x1110;
    public static final int REG_INTR_MASK = 0x00;
    public static final int REG_INTR_STATUS = 0x04;
    public static final int REG_IV_POSITION = 0x08;
    public static final int REG_DOORBELL = 0x0c;
    public static final long BAR0_SIZE = 256;

    private final HostMapping shared;
    private final ByteOrder byteOrder;
    private int intrMask;
    private int intrStatus;

    /**
     * @param shared the shared memory; its size must be a power of two (it is BAR2)
     */
    public IvshmemPlainDevice(HostMapping shared, ByteOrder byteOrder) {
        if (Long.bitCount(shared.size()) != 1) {
            throw new IllegalArgumentException("ivshmem shared memory size 0x" + Long.toHexString(shared.size())
                    + " is not a power of two");
        }
        this.shared = shared;
        this.byteOrder = byteOrder;
    }

    public IvshmemPlainDevice(HostMapping shared) {
        this(shared, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public PciIdentity identity() {
        return new PciIdentity(VENDOR_ID, DEVICE_ID, 0x050000, 1, 0x1af4, 0x1100);
    }

    @Override
    public List<BarSpec> bars() {
        return List.of(BarSpec.mem32(0, BAR0_SIZE), BarSpec.mem64(2, shared.size(), true));
    }

    @Override
    public int interruptPin() {
        return 1;
    }

    @Override
    public int msiVectors() {
        return 0;
    }

    @Override
    public boolean isPcie() {
        return false;
    }

    @Override
    public MemorySegment barMemory(int bar) {
        return bar == 2 ? shared.segment() : null;
    }

    private long swap(long v, int size) {
        if (byteOrder == ByteOrder.LITTLE_ENDIAN || size != 4) {
            return v;
        }
        return Integer.reverseBytes((int) v) & 0xffff_ffffL;
    }

    @Override
    public synchronized long barRead(int bar, long offset, int size) {
        if (bar != 0 || size != 4 || Long.compareUnsigned(offset, BAR0_SIZE) >= 0) {
            return 0;
        }
        long v = switch ((int) offset) {
            case REG_INTR_MASK -> intrMask;
            case REG_INTR_STATUS -> intrStatus;
            case REG_IV_POSITION -> 0; // not configured for interrupts
            default -> 0;
        };
        return swap(v & 0xffff_ffffL, size);
    }

    @Override
    public synchronized void barWrite(int bar, long offset, int size, long value) {
        if (bar != 0 || size != 4 || Long.compareUnsigned(offset, BAR0_SIZE) >= 0) {
            return;
        }
        int v = (int) swap(value, size);
        switch ((int) offset) {
            case REG_INTR_MASK -> intrMask = v;
            case REG_INTR_STATUS -> intrStatus = v;
            default -> {
                // IVPosition is read-only; the doorbell is ignored without interrupts
            }
        }
    }

    @Override
    public synchronized void reset() {
        intrMask = 0;
        intrStatus = 0;
    }

    @Override
    public void connect(DmaPort dma, InterruptSink interrupts) {
        // ivshmem-plain neither masters DMA nor interrupts
    }
}
