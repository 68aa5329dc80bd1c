package org.jvmm.vfio.iommu;

import org.jvmm.pci.host.HostPciPlatform;

/**
 * A VFIO IOMMU driver module (vfio_iommu_type1, vfio_iommu_spapr_tce): answers CHECK_EXTENSION
 * for a container without an IOMMU, and opens a backend for SET_IOMMU.
 */
public interface IommuDriver {

    String name();

    /** VFIO_CHECK_EXTENSION with no backend open: positive when supported, else 0. */
    int checkExtension(long extension);

    /** Opens a backend of IOMMU {@code type}; EINVAL for a type the driver does not serve. */
    IommuBackend open(long type, HostPciPlatform platform);
}
