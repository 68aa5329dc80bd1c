package org.jvmm.pci.host.spapr;

/**
 * What a host PHB offers each PE (Linux struct iommu_table_group): the default 32-bit DMA window
 * ({@code tce32Start}, {@code tce32Size}), the IOMMU page sizes a window may use (bit n = 2^n
 * bytes), how many dynamic windows a PE can have (0: no DDW, a legacy PHB), the most table
 * levels, where the second (64-bit) window starts on the bus, and whether EEH is available.
 */
public record PnvPhbConfig(long tce32Start, long tce32Size, long pgsizes, int maxDynamicWindows, int maxLevels,
        long ddwStart, boolean eeh) {

    /** 4 KiB, 64 KiB and 16 MiB pages, as POWER8/9 PHBs offer. */
    public static final long PGSIZES_4K_64K_16M = (1L << 12) | (1L << 16) | (1L << 24);

    public PnvPhbConfig {
        if (tce32Size <= 0 || (tce32Size & 0xfff) != 0 || (tce32Start & 0xfff) != 0) {
            throw new IllegalArgumentException("sPAPR PHB: 32-bit window 0x" + Long.toHexString(tce32Start) + "+0x"
                    + Long.toHexString(tce32Size) + " is not page aligned and non-empty");
        }
        if ((pgsizes & (1L << 12)) == 0) {
            throw new IllegalArgumentException("sPAPR PHB: page sizes 0x" + Long.toHexString(pgsizes) + " lack 4 KiB");
        }
        if (maxDynamicWindows < 0 || maxDynamicWindows > 2 || maxLevels < 1) {
            throw new IllegalArgumentException("sPAPR PHB: " + maxDynamicWindows + " dynamic windows, " + maxLevels + " levels");
        }
    }

    /**
     * A POWER8/9-like (IODA2) PHB: 1 GiB 32-bit window at 0, DDW with 2 windows of 4K/64K/16M
     * pages and up to 5 levels, the 64-bit window at 1 << 59, EEH.
     */
    public static PnvPhbConfig ioda2() {
        return new PnvPhbConfig(0, 1L << 30, PGSIZES_4K_64K_16M, 2, 5, 1L << 59, true);
    }

    /** A legacy (IODA1-like) PHB: the 32-bit window only, 4 KiB pages, no dynamic windows, EEH. */
    public static PnvPhbConfig legacy() {
        return new PnvPhbConfig(0, 1L << 30, 1L << 12, 0, 1, 0, true);
    }

    public boolean supportsDdw() {
        return maxDynamicWindows > 0;
    }
}
