package org.jvmm.pci;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The hardware behind one host PCI function: its identity, BARs and interrupt capabilities, and
 * what its BAR registers do. The host platform builds the function's config space from this
 * description, and connects the model to the bus ({@link #connect}) for DMA and interrupts.
 *
 * <p>Threads: {@link #barRead}/{@link #barWrite} come from whoever accesses the BAR (a vCPU
 * thread through vfio-pci); an implementation states its own locking.
 */
public interface PciDeviceModel {

    PciIdentity identity();

    /** The implemented BARs. */
    List<BarSpec> bars();

    /** INTx pin: 0 for none, 1-4 for INTA-INTD. */
    int interruptPin();

    /** MSI vectors the function can ask for (1, 2, 4 ... 32), or 0 for no MSI capability. */
    int msiVectors();

    /** The MSI-X capability, or null. */
    default MsixSpec msix() {
        return null;
    }

    /** True for a PCI Express function (it has a PCIe capability and 4 KiB of config space). */
    boolean isPcie();

    /**
     * The PASID, ATS and PRI extended capabilities of a PCIe function that can tag DMA with a
     * PASID, or null (the default: no PASID).
     */
    default PasidSpec pasid() {
        return null;
    }

    /** True when the function can be reset (function-level reset). */
    default boolean canReset() {
        return true;
    }

    /**
     * The memory behind a RAM-like BAR (an mmap gives this memory directly), or null when the
     * BAR is registers served by {@link #barRead}/{@link #barWrite}.
     */
    default MemorySegment barMemory(int bar) {
        return null;
    }

    /** A register read of {@code size} (1, 2, 4 or 8) bytes at {@code offset} of BAR {@code bar}. */
    long barRead(int bar, long offset, int size);

    /** A register write of {@code size} (1, 2, 4 or 8) bytes at {@code offset} of BAR {@code bar}. */
    void barWrite(int bar, long offset, int size, long value);

    /** Function-level reset: registers back to their power-on values. */
    void reset();

    /**
     * The model's log of refused guest requests ({@link GuestErrorLog}), or null when the model
     * keeps none.
     */
    default GuestErrorLog guestErrors() {
        return null;
    }

    /** Called once by the platform: the device's DMA port and interrupt wires. */
    void connect(DmaPort dma, InterruptSink interrupts);
}
