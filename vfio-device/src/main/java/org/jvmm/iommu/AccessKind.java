package org.jvmm.iommu;

/** The direction of a device's memory access, from the device's point of view. */
public enum AccessKind {
    /** The device reads memory (needs IOMMU read permission, VFIO_DMA_MAP_FLAG_READ). */
    READ,
    /** The device writes memory (needs IOMMU write permission, VFIO_DMA_MAP_FLAG_WRITE). */
    WRITE
}
