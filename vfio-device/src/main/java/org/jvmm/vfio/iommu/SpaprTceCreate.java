package org.jvmm.vfio.iommu;

/**
 * struct vfio_iommu_spapr_tce_create (VFIO_IOMMU_SPAPR_TCE_CREATE): a DMA window of
 * {@code windowSize} bytes with IOMMU pages of 2^{@code pageShift} bytes and a table of
 * {@code levels} levels. The kernel writes the window's bus start back into start_addr: the
 * ioctl's result here.
 */
public record SpaprTceCreate(int argsz, int flags, int pageShift, long windowSize, int levels) {
    /** offsetofend(struct vfio_iommu_spapr_tce_create, start_addr). */
    public static final int MIN_SIZE = 40;

    public static SpaprTceCreate of(int pageShift, long windowSize, int levels) {
        return new SpaprTceCreate(MIN_SIZE, 0, pageShift, windowSize, levels);
    }

    @Override
    public String toString() {
        return "argsz=" + argsz + ", flags=0x" + Integer.toHexString(flags) + ", page_shift=" + pageShift + ", window_size=0x"
                + Long.toHexString(windowSize) + ", levels=" + levels;
    }
}
