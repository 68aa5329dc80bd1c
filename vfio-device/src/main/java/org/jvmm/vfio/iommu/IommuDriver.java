package org.jvmm.vfio.iommu;

/**
 * A VFIO IOMMU driver module (vfio_iommu_type1, vfio_iommu_spapr_tce): answers CHECK_EXTENSION
 * for a container without an IOMMU, and opens a backend for SET_IOMMU
 * from the host resources the VFIO core gives it. Registered with the VFIO core
 * ({@link org.jvmm.vfio.Vfio#registerIommuDriver}), as vfio_register_iommu_driver does.
 */
public interface IommuDriver {

    String name();

    /** VFIO_CHECK_EXTENSION with no backend open: positive when supported, else 0. */
    int checkExtension(long extension);

    /** Opens a backend of IOMMU {@code type}; EINVAL for a type the driver does not serve. */
    IommuBackend open(long type, IommuHostResources host);
}
