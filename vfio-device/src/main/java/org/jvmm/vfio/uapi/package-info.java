/**
 * The numbers of Linux include/uapi/linux/vfio.h ({@link org.jvmm.vfio.uapi.VfioUapi}): shared by
 * the VFIO user API ({@code org.jvmm.vfio}) and the IOMMU drivers ({@code org.jvmm.vfio.iommu}),
 * and importing neither, as the uapi header sits below both.
 */
package org.jvmm.vfio.uapi;
