package org.jvmm.memory;

/**
 * Told of IOMMU entry changes in a range (QEMU's IOMMUNotifier): the VFIO listener uses one to map
 * and unmap DMA in the host IOMMU as the guest changes its own tables.
 */
@FunctionalInterface
public interface IommuNotifier {
    void notify(IommuEvent event);
}
