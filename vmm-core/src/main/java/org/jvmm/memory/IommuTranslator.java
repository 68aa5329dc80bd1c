package org.jvmm.memory;

import org.jvmm.iommu.AccessKind;

/**
 * The page tables behind an {@link IommuRegion}: a vIOMMU or a TCE table. {@code translate} is
 * called on any accessing thread and must not block.
 */
public interface IommuTranslator {

    /** The translation of the page holding {@code offset} (an offset in the IOMMU region) for {@code access}. */
    IommuTlbEntry translate(long offset, AccessKind access);

    /**
     * The offset of the first page at or after {@code offset} that may translate, or an offset at
     * or past the region's end (unsigned) when none may: {@link IommuRegion#replay} skips the pages
     * before it. The default skips nothing; a table that can find its next valid entry faster than
     * translating every page says where it is.
     */
    default long nextMapped(long offset) {
        return offset;
    }

    /** The smallest page this IOMMU maps; replay walks the region in steps of it. */
    default long minPageSize() {
        return 4096;
    }
}
