/**
 * Device-side DMA: the port each function gets ({@link org.jvmm.vfio.dma.DeviceDmaPort}), the
 * domain interface IOMMU backends implement ({@link org.jvmm.vfio.dma.DmaDomain}), translation
 * entries in QEMU's IOMMUTLBEntry shape, and IOMMU faults (device, IOVA, access, reason) kept in
 * the platform's {@link org.jvmm.vfio.dma.IommuFaultLog}. A refused transfer moves nothing.
 */
package org.jvmm.vfio.dma;
