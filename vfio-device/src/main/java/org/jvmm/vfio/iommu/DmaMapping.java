package org.jvmm.vfio.iommu;

import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.iommu.IommuPermission;

/** A live DMA mapping as a snapshot: [iova, iova + size) -> vaddr, with the device's permission. */
public record DmaMapping(Iova iova, long size, HostAddress vaddr, IommuPermission perm) {
}
