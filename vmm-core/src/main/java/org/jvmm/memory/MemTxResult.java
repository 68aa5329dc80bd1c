package org.jvmm.memory;

/** How a bulk access went (QEMU's MemTxResult). */
public enum MemTxResult {
    /** Every byte reached memory or a device. */
    OK,
    /** Some bytes hit no region: they read as all-ones, and writes to them were dropped. */
    DECODE_ERROR,
    /** Some bytes were refused by an IOMMU or a device's access rules. */
    ACCESS_ERROR;

    MemTxResult and(MemTxResult other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
