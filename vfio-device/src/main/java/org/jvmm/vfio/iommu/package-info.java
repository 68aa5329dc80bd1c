/**
 * VFIO IOMMU drivers and backends behind {@link org.jvmm.vfio.iommu.IommuBackend} (sealed):
 * {@link org.jvmm.vfio.iommu.Type1Iommu} (TYPE1 v1/v2) and {@link org.jvmm.vfio.iommu.SpaprTceIommu}
 * (sPAPR TCE v1/v2), which must share this package to join the sealed permits list (the module is
 * unnamed). Drivers ({@link org.jvmm.vfio.iommu.IommuDriver}) open backends from the narrow
 * {@link org.jvmm.vfio.iommu.IommuHostResources}. Also here: the MAP/UNMAP structures, GET_INFO
 * with TYPE1's capability chain ({@link org.jvmm.vfio.iommu.Type1Info}) or sPAPR's DDW block
 * ({@link org.jvmm.vfio.iommu.SpaprTceInfo}), the sPAPR window, pre-registration and EEH requests,
 * and TYPE1's mdev side: mappings tracked without pinning while only emulated groups are
 * attached, vfio_pin_pages/unpin_pages with lazy RLIMIT_MEMLOCK charging, vfio_dma_rw and the
 * dma_unmap notifier ({@link org.jvmm.vfio.iommu.DmaUnmapListener}). The host IOMMU core these
 * drive (DMA domains, faults, permissions) is {@code org.jvmm.iommu}, below VFIO.
 */
package org.jvmm.vfio.iommu;
