/**
 * iommufd, the modern VFIO IOMMU interface (Linux drivers/iommu/iommufd): {@code /dev/iommu}
 * modelled in process ({@link org.jvmm.iommufd.Iommufd}) with I/O address spaces
 * ({@link org.jvmm.iommufd.Ioas}), hardware page tables (kernel-managed
 * {@link org.jvmm.iommufd.PagingHwpt}, user VT-d stage-1 {@link org.jvmm.iommufd.NestedHwpt}),
 * fault queues ({@link org.jvmm.iommufd.FaultQueue}) and bound devices
 * ({@link org.jvmm.iommufd.IommufdDevice}, made by the VFIO device cdev). Struct layouts are in
 * {@link org.jvmm.iommufd.IommufdStructs}, numbers in {@link org.jvmm.iommufd.IommufdUapi}.
 *
 * <p>Sits beside VFIO and below it: it imports the IOMMU core, the host memory and the PCI
 * platform, never {@code org.jvmm.vfio}.
 */
package org.jvmm.iommufd;
