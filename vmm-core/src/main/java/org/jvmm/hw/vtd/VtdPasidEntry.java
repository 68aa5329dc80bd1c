package org.jvmm.hw.vtd;

/**
 * A scalable-mode PASID table entry as the virtual VT-d read it from guest memory (C-5): the
 * domain id it is tagged with, its translation type (PGTT), the first-stage table pointer (a
 * guest-physical address), the first-stage paging levels (4 or 5), fault-processing disable
 * (from the entry or its directory entry), the SRE/WPE/EAFE controls of word 2, and where the
 * entry was found: the context entry's PASID directory pointer and size field (for seed 001's
 * passdown, which binds the whole table).
 */
public record VtdPasidEntry(int did, int pgtt, long fsptptr, int levels, boolean fpd, boolean sre, boolean wpe, boolean eafe,
        long pasidDir, int pdts) {

    /** The stage-1 address width the levels give: 48 or 57 (iommu_hwpt_vtd_s1.addr_width). */
    public int addrWidth() {
        return levels == 5 ? 57 : 48;
    }

    /** iommu_hwpt_vtd_s1.flags: SRE 1, EAFE 2, WPE 4. */
    public long s1Flags() {
        return (sre ? 1 : 0) | (eafe ? 2 : 0) | (wpe ? 4 : 0);
    }
}
