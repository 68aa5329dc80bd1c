package org.jvmm.hw.vtd;

/**
 * How the VMM hands a guest's PASID bindings to the host ({@code -device intel-iommu,pasid-api=}):
 * {@link #IOMMUFD} (the default) nests a VT-d stage-1 HWPT per guest PASID entry over the guest-RAM
 * IOAS (mainline iommufd); {@link #SEED} is seed 001's passdown (bind the guest PASID table, forward
 * invalidations in the seed's structures).
 */
public enum VtdPasidApi {
    IOMMUFD,
    SEED;

    /** The option's spelling. */
    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@code iommufd} or {@code seed}; IllegalArgumentException naming the option otherwise. */
    public static VtdPasidApi parse(String text) {
        for (VtdPasidApi a : values()) {
            if (a.spelling().equals(text)) {
                return a;
            }
        }
        throw new IllegalArgumentException("Parameter 'pasid-api' expects iommufd or seed, not '" + text + "'");
    }
}
