package org.jvmm.vfio.iommu;

import org.jvmm.address.Iova;

/** struct vfio_iommu_spapr_tce_remove (VFIO_IOMMU_SPAPR_TCE_REMOVE): the window starting at {@code startAddr}. */
public record SpaprTceRemove(int argsz, int flags, Iova startAddr) {
    /** offsetofend(struct vfio_iommu_spapr_tce_remove, start_addr). */
    public static final int MIN_SIZE = 16;

    public static SpaprTceRemove of(Iova startAddr) {
        return new SpaprTceRemove(MIN_SIZE, 0, startAddr);
    }

    @Override
    public String toString() {
        return "argsz=" + argsz + ", flags=0x" + Integer.toHexString(flags) + ", start_addr=" + startAddr;
    }
}
