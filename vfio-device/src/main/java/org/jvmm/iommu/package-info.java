/**
 * The host IOMMU core (Linux drivers/iommu): the domain interface translating IOMMUs implement
 * ({@link org.jvmm.iommu.DmaDomain}), a translation in QEMU's IOMMUTLBEntry shape as the host
 * kernel answers it ({@link org.jvmm.iommu.HostIommuTlbEntry}; the VMM's vIOMMU entry is
 * vmm-core's own), permissions and access kinds, the {@link org.jvmm.pci.DmaPort DMA port}
 * each function's model is given ({@link org.jvmm.iommu.DeviceDmaPort}), and IOMMU faults
 * (device, IOVA, access, reason) kept in the host's {@link org.jvmm.iommu.IommuFaultLog}. A
 * refused transfer moves nothing.
 *
 * <p>PASIDs: a function's per-PASID domains ({@link org.jvmm.iommu.PasidAttachments}) translate
 * its PASID-tagged DMA; a domain may take recoverable faults ({@link org.jvmm.iommu.IopfHandler}):
 * a device's page request ({@link org.jvmm.iommu.PageRequest}) is answered with a
 * {@link org.jvmm.iommu.PageResponseCode}. {@link org.jvmm.iommu.SvaDomain} shares the process's
 * address space (the host memory registry) with the device, as the kernel's SVA does.
 *
 * <p>The mapping set TYPE1 and an iommufd IOAS share, non-overlapping IOVA spans ordered unsigned
 * with their overlap lookups, is {@link org.jvmm.iommu.IovaSpans} over {@link org.jvmm.iommu.IovaTree};
 * each owner keeps its own MAP/UNMAP rules on top.
 *
 * <p>Sits below the host PCI platform and VFIO: it imports neither {@code org.jvmm.pci.host} nor
 * {@code org.jvmm.vfio}, only the device-side PCI types (a requester's {@code PciAddress}, the
 * {@code DmaPort} contract).
 */
package org.jvmm.iommu;
