/**
 * The VFIO user API as objects, one method per ioctl with the kernel's errno on failure:
 * {@link org.jvmm.vfio.VfioContainer} (/dev/vfio/vfio), {@link org.jvmm.vfio.VfioGroup}
 * (/dev/vfio/N), {@link org.jvmm.vfio.VfioDevice} (the device fd), the ioctl structures as
 * records; the numbers of include/uapi/linux/vfio.h are in {@link org.jvmm.vfio.uapi.VfioUapi}.
 * {@link org.jvmm.vfio.Vfio} is the VFIO core of a host: its IOMMU-driver registry and open group
 * files; a VFIO bus driver ({@link org.jvmm.vfio.VfioBusDriver}, vfio-pci) leads to it.
 *
 * <p>Lock order everywhere: platform, then container, then IOMMU backend; vfio-pci's device
 * monitor, then its interrupt lock. Device models call back with none of their locks held.
 */
package org.jvmm.vfio;
