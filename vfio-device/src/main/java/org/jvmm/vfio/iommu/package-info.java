/**
 * VFIO IOMMU drivers and backends behind {@link org.jvmm.vfio.iommu.IommuBackend} (sealed):
 * {@link org.jvmm.vfio.iommu.Type1Iommu} (TYPE1 v1/v2) and, later, the sPAPR TCE backend, which
 * must live in this package to join the sealed permits list (the module is unnamed). MAP/UNMAP
 * structures, GET_INFO with its capability chain, the locked-memory account, mdev pin hooks.
 */
package org.jvmm.vfio.iommu;
