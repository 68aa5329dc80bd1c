package org.jvmm.hw.vtd;

/**
 * Where the virtual VT-d hands a device's guest PASID bindings on to the host (one per device,
 * by source id). {@code pasid-api=iommufd} ({@link VtdIommufdBackend}) allocates a nested VT-d
 * stage-1 HWPT per PASID entry and attaches the device's PASID to it; invalidations become
 * IOMMU_HWPT_INVALIDATE. Methods are called by the virtual IOMMU without its lock held, in the
 * order the guest's descriptors ask for them. A failure is answered by throwing; the IOMMU keeps
 * the message as a backend error and the guest sees the PASID blocked (a failed operation leaves
 * the binding as it was).
 */
public interface VtdBackend extends AutoCloseable {

    /** The guest's PASID entry for {@code pasid} is first-stage and valid: (re)bind the device's PASID to it. */
    void bind(int pasid, VtdPasidEntry entry);

    /** The guest's PASID entry for {@code pasid} is gone (or translation is off): the PASID is blocked. */
    void unbind(int pasid);

    /** Drop cached stage-1 translations of {@code pasid}: [addr, addr + npages pages), all for npages -1. */
    void invalidate(int pasid, long addr, long npages, boolean leaf);

    /** PASIDs bound now; callable without the backend's lock (the virtual IOMMU asks under its own). */
    java.util.Set<Integer> bound();

    @Override
    default void close() {
    }
}
