package org.jvmm.vfio;

/**
 * Which PASID interface the host's VFIO offers, as the project offers the two KVM-VFIO TCE links:
 * {@link #MAINLINE} (the default) is iommufd's PASID attach on device cdevs; {@link #SEED} adds
 * seed 001's never-merged VFIO_DEVICE_BIND_TASK / UNBIND_TASK on device fds and reports
 * VFIO_DEVICE_FLAGS_SVM (bit 4, which means CCW in mainline, hence never set there). See
 * {@link SeedSvm}.
 */
public enum PasidApi {
    MAINLINE,
    SEED
}
