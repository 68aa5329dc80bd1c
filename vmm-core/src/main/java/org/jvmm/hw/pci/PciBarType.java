package org.jvmm.hw.pci;

import org.jvmm.pci.PciRegs;

/** The kind of a base address register. */
public enum PciBarType {
    IO(PciRegs.BASE_ADDRESS_SPACE_IO),
    MEM32(0),
    MEM32_PREFETCH(PciRegs.BASE_ADDRESS_MEM_PREFETCH),
    MEM64(PciRegs.BASE_ADDRESS_MEM_TYPE_64),
    MEM64_PREFETCH(PciRegs.BASE_ADDRESS_MEM_TYPE_64 | PciRegs.BASE_ADDRESS_MEM_PREFETCH);

    /** The read-only low bits the BAR reports. */
    final int typeBits;

    PciBarType(int typeBits) {
        this.typeBits = typeBits;
    }

    public boolean isIo() {
        return this == IO;
    }

    public boolean is64() {
        return this == MEM64 || this == MEM64_PREFETCH;
    }
}
