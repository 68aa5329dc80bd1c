/**
 * The VFIO user API as objects, one method per ioctl with the kernel's errno on failure:
 * {@link org.jvmm.vfio.VfioContainer} (/dev/vfio/vfio), {@link org.jvmm.vfio.VfioGroup}
 * (/dev/vfio/N), {@link org.jvmm.vfio.VfioDevice} (the device fd), the ioctl structures as
 * records; the numbers of include/uapi/linux/vfio.h are in {@link org.jvmm.vfio.uapi.VfioUapi}.
 * Mediated devices are VFIO devices too: {@link org.jvmm.vfio.Vfio#registerEmulatedIommuDevice}
 * gives each one an emulated IOMMU group (org.jvmm.vfio.mdev builds on it).
 * {@link org.jvmm.vfio.Vfio} is the VFIO core of a host: its IOMMU-driver registry and open group
 * files; a VFIO bus driver ({@link org.jvmm.vfio.VfioBusDriver}, vfio-pci) leads to it.
 *
 * <p>A device file comes either from its group (the legacy container path) or from its cdev
 * ({@link org.jvmm.vfio.VfioDevice#openCdev}) bound to an iommufd ({@code org.jvmm.iommufd});
 * one IOMMU group is used one way at a time. {@link org.jvmm.vfio.PasidApi#SEED} adds seed 001's
 * BIND_TASK/UNBIND_TASK ({@link org.jvmm.vfio.SeedSvm}, where the model's choices are listed).
 *
 * <p>VFIO_DEVICE_FEATURE ({@link org.jvmm.vfio.VfioDevice#feature}, the structs in
 * {@link org.jvmm.vfio.uapi.DeviceFeature}) carries migration v2: a driver's
 * {@link org.jvmm.vfio.VfioMigrationOps} walk the state machine of {@link org.jvmm.vfio.VfioMigration}
 * and hand out {@link org.jvmm.vfio.MigrationFile} data fds; {@link org.jvmm.vfio.VfioLogOps} take
 * DMA dirty logging. The mtty sample implements both (org.jvmm.devices.mtty).
 *
 * <p>Lock order everywhere: platform, then container, then IOMMU backend; vfio-pci's device
 * monitor, then its interrupt lock. Device models call back with none of their locks held.
 */
package org.jvmm.vfio;
