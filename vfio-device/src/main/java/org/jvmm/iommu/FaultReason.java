package org.jvmm.iommu;

/** Why a device's DMA was refused. */
public enum FaultReason {
    /** Some byte of the range has no IOMMU mapping. */
    UNMAPPED,
    /** The mapping lacks the permission the access needs (e.g. a write to a read-only mapping). */
    PERMISSION,
    /** The device's group is attached to no translating domain: all DMA is blocked. */
    BLOCKED,
    /** The function's bus-master enable bit is off, so it cannot issue DMA at all. */
    BUS_MASTER_DISABLED,
    /**
     * sPAPR: the IOVA lies outside every DMA window of the device's partitionable endpoint; the
     * host bridge froze the whole PE (EEH) as it refused the access.
     */
    OUTSIDE_DMA_WINDOW,
    /** sPAPR: the device's partitionable endpoint is frozen (EEH) and its DMA is blocked until recovery. */
    PE_FROZEN
}
