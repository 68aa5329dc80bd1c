/**
 * The mdev core (Linux drivers/vfio/mdev): {@link org.jvmm.vfio.mdev.MdevBus} is the module,
 * with the sysfs tree ({@code mdev_supported_types/<type>/...}, {@code /sys/bus/mdev/devices/<uuid>/...})
 * reached by path; a parent ({@link org.jvmm.vfio.mdev.MdevParent}) registers a vendor's
 * {@link org.jvmm.vfio.mdev.MdevDriver} and its {@link org.jvmm.vfio.mdev.MdevType}s; each
 * {@link org.jvmm.vfio.mdev.MdevDevice} becomes a VFIO device alone in an emulated IOMMU group
 * whose fd operations are the vendor's {@link org.jvmm.vfio.mdev.MdevDeviceOps}. Vendors reach
 * guest memory through the device's pin/unpin/dma_rw, which go to the container's TYPE1 IOMMU.
 *
 * <p>Lock order: a parent's unregistration lock, then the bus monitor; the platform lock is taken
 * only inside VFIO calls; a removal waits on the mdev's monitor holding none of them.
 */
package org.jvmm.vfio.mdev;
