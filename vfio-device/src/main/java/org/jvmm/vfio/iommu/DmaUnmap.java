package org.jvmm.vfio.iommu;

import static org.jvmm.vfio.uapi.VfioUapi.hex;

import org.jvmm.address.Iova;

/**
 * struct vfio_iommu_type1_dma_unmap: unmap [iova, iova + size). The ioctl writes back the number
 * of bytes actually unmapped into {@code size}: the result of UNMAP_DMA is this record with the
 * new size.
 */
public record DmaUnmap(int flags, Iova iova, long size) {
    public DmaUnmap withSize(long unmapped) {
        return new DmaUnmap(flags, iova, unmapped);
    }

    @Override
    public String toString() {
        return "flags=" + hex(flags) + ", iova=" + iova + ", size=" + hex(size);
    }
}
