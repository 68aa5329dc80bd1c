package org.jvmm.memory;

import org.jvmm.iommu.AccessKind;

/**
 * The page tables behind an {@link IommuRegion}: a vIOMMU or a TCE table. {@code translate} is
 * called on any accessing thread and must not block.
 */
public interface IommuTranslator {

    /** The translation of the page holding {@code offset} (an offset in the IOMMU region) for {@code access}. */
    IommuTlbEntry translate(long offset, AccessKind access);

    /** The smallest page this IOMMU maps; replay walks the region in steps of it. */
    default long minPageSize() {
        return 4096;
    }
}
