package org.jvmm.vfio.iommu;

import org.jvmm.address.Iova;

/**
 * A mediated device's dma_unmap callback (struct vfio_device_ops.dma_unmap): TYPE1 calls it before
 * removing a mapping in which the device pinned pages; the vendor driver must unpin them
 * ({@link Type1Iommu#unpinPages}) before returning. Called without the backend's lock held.
 */
@FunctionalInterface
public interface DmaUnmapListener {
    void dmaUnmap(Iova iova, long size);
}
