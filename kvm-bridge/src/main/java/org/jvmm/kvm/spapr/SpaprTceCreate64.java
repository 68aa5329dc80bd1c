package org.jvmm.kvm.spapr;

/**
 * struct kvm_create_spapr_tce_64 (KVM_CREATE_SPAPR_TCE_64): a guest-visible TCE table for
 * {@code liobn} with IOMMU pages of 2^{@code pageShift} bytes, starting at bus page
 * {@code offset}, {@code size} entries.
 */
public record SpaprTceCreate64(long liobn, int pageShift, int flags, long offset, long size) {
    @Override
    public String toString() {
        return "liobn=0x" + Long.toHexString(liobn) + ", page_shift=" + pageShift + ", flags=0x" + Integer.toHexString(flags)
                + ", offset=0x" + Long.toHexString(offset) + ", size=0x" + Long.toHexString(size);
    }
}
