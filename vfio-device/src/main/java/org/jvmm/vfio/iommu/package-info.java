/**
 * VFIO IOMMU drivers and backends behind {@link org.jvmm.vfio.iommu.IommuBackend} (sealed):
 * {@link org.jvmm.vfio.iommu.Type1Iommu} (TYPE1 v1/v2) and {@link org.jvmm.vfio.iommu.SpaprTceIommu}
 * (sPAPR TCE v1/v2), which must share this package to join the sealed permits list (the module is
 * unnamed). Drivers ({@link org.jvmm.vfio.iommu.IommuDriver}) open backends from the narrow
 * {@link org.jvmm.vfio.iommu.IommuHostResources}. MAP/UNMAP structures, GET_INFO with its
 * capability chain, and TYPE1's mdev side: mappings tracked without pinning while only emulated
 * groups are attached, vfio_pin_pages/unpin_pages with lazy RLIMIT_MEMLOCK charging, vfio_dma_rw
 * and the dma_unmap notifier.
 */
package org.jvmm.vfio.iommu;
