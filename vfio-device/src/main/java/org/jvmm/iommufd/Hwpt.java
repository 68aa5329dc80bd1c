package org.jvmm.iommufd;

import org.jvmm.iommu.DmaDomain;
import org.jvmm.iommu.IopfHandler;

/**
 * A hardware page table (struct iommufd_hw_pagetable): an IOMMU domain devices and PASIDs attach
 * to. Either kernel-managed from an IOAS ({@link PagingHwpt}) or a user stage-1 table nested on a
 * paging parent ({@link NestedHwpt}). Allocated with IOMMU_HWPT_ALLOC_PASID it may serve PASIDs;
 * with a fault queue its recoverable faults (page requests) go to user space.
 */
public abstract sealed class Hwpt extends IommufdObject implements DmaDomain permits PagingHwpt, NestedHwpt {
    final boolean pasidCapable;
    final FaultQueue fault;
    /** Device RIDs and PASIDs attached to it now. Guarded by the context lock. */
    int attachments;
    /** Nested HWPTs on this one (paging parents only). Guarded by the context lock. */
    int children;

    Hwpt(int id, boolean pasidCapable, FaultQueue fault) {
        super(id);
        this.pasidCapable = pasidCapable;
        this.fault = fault;
    }

    /** True when allocated with IOMMU_HWPT_ALLOC_PASID (pasid_compat). */
    public boolean pasidCapable() {
        return pasidCapable;
    }

    /** The fault queue its page requests go to, or null. */
    public FaultQueue faultQueue() {
        return fault;
    }

    @Override
    public IopfHandler iopfHandler() {
        return fault == null ? null : fault.handlerFor(this);
    }

    @Override
    String busyReason() {
        if (attachments > 0) {
            return attachments + " device attachment(s)";
        }
        if (children > 0) {
            return children + " nested HWPT(s) use it as parent";
        }
        return null;
    }
}
