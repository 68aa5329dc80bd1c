package org.jvmm.vfio.iommu;

import static org.jvmm.vfio.uapi.VfioUapi.hex;

import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;

/**
 * struct vfio_iommu_type1_dma_map: map {@code size} bytes of this process's memory at
 * {@code vaddr} to {@code iova}, with READ and/or WRITE permission from the device's view.
 */
public record DmaMap(int flags, HostAddress vaddr, Iova iova, long size) {
    @Override
    public String toString() {
        return "flags=" + hex(flags) + ", vaddr=" + vaddr + ", iova=" + iova + ", size=" + hex(size);
    }
}
