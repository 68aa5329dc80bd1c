package org.jvmm.pci;

/** An MSI-X capability: table size (vectors), and where the table and PBA live (BAR, offset). */
public record MsixSpec(int tableSize, int tableBar, long tableOffset, int pbaBar, long pbaOffset) {
    public MsixSpec {
        if (tableSize < 1 || tableSize > 2048 || (tableOffset & 7) != 0 || (pbaOffset & 7) != 0) {
            throw new IllegalArgumentException("MSI-X table size " + tableSize + " / offsets 0x"
                    + Long.toHexString(tableOffset) + ", 0x" + Long.toHexString(pbaOffset) + " invalid");
        }
    }

    /** Bytes of the vector table (16 per entry). */
    public long tableBytes() {
        return 16L * tableSize;
    }
}
