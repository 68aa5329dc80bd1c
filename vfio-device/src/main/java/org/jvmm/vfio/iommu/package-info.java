/**
 * VFIO IOMMU drivers and backends behind {@link org.jvmm.vfio.iommu.IommuBackend} (sealed):
 * {@link org.jvmm.vfio.iommu.Type1Iommu} (TYPE1 v1/v2) and {@link org.jvmm.vfio.iommu.SpaprTceIommu}
 * (sPAPR TCE v1/v2), which must share this package to join the sealed permits list (the module is
 * unnamed). Drivers ({@link org.jvmm.vfio.iommu.IommuDriver}) open backends from the narrow
 * {@link org.jvmm.vfio.iommu.IommuHostResources}. MAP/UNMAP structures, GET_INFO with its
 * capability chain, mdev pin hooks.
 */
package org.jvmm.vfio.iommu;
