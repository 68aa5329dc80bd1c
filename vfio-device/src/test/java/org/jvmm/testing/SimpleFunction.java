package org.jvmm.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.MsixSpec;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;

/**
 * A plain test function: BAR0 (memory, 16 KiB by default) is a little-endian register file, an
 * optional I/O BAR4, an optional MSI-X table in BAR0 at 0x2000, and it records reset calls.
 */
public final class SimpleFunction implements PciDeviceModel {
    private final PciIdentity id;
    private final boolean pcie;
    private final MsixSpec msix;
    private final int msiVectors;
    private final long bar0Size;
    private final boolean ioBar;
    private final MemorySegment regs;
    public volatile DmaPort dma;
    public volatile InterruptSink irq;
    public int resets;

    public SimpleFunction(PciIdentity id, boolean pcie, int msiVectors, MsixSpec msix, long bar0Size, boolean ioBar) {
        this.id = id;
        this.pcie = pcie;
        this.msiVectors = msiVectors;
        this.msix = msix;
        this.bar0Size = bar0Size;
        this.ioBar = ioBar;
        this.regs = Arena.ofAuto().allocate(bar0Size, 8);
    }

    public static SimpleFunction of(int vendor, int device, int classCode) {
        return new SimpleFunction(PciIdentity.of(vendor, device, classCode, 1), false, 0, null, 0x4000, false);
    }

    @Override
    public PciIdentity identity() {
        return id;
    }

    @Override
    public List<BarSpec> bars() {
        List<BarSpec> out = new ArrayList<>();
        out.add(BarSpec.mem32(0, bar0Size));
        if (ioBar) {
            out.add(new BarSpec(4, 0x20, BarSpec.Kind.IO, false));
        }
        return out;
    }

    @Override
    public int interruptPin() {
        return 1;
    }

    @Override
    public int msiVectors() {
        return msiVectors;
    }

    @Override
    public MsixSpec msix() {
        return msix;
    }

    @Override
    public boolean isPcie() {
        return pcie;
    }

    @Override
    public long barRead(int bar, long offset, int size) {
        if (bar != 0) {
            return 0;
        }
        return switch (size) {
            case 1 -> regs.get(ValueLayout.JAVA_BYTE, offset) & 0xffL;
            case 2 -> regs.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset) & 0xffffL;
            case 4 -> regs.get(ValueLayout.JAVA_INT_UNALIGNED, offset) & 0xffff_ffffL;
            default -> regs.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        };
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        if (bar != 0) {
            return;
        }
        switch (size) {
            case 1 -> regs.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
            case 2 -> regs.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset, (short) value);
            case 4 -> regs.set(ValueLayout.JAVA_INT_UNALIGNED, offset, (int) value);
            default -> regs.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
        }
    }

    @Override
    public void reset() {
        resets++;
        regs.fill((byte) 0);
    }

    @Override
    public void connect(DmaPort dma, InterruptSink interrupts) {
        this.dma = dma;
        this.irq = interrupts;
    }
}
