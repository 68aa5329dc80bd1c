/**
 * The mbochs sample vendor driver (Linux samples/vfio-mdev/mbochs.c, A-48 to A-57): a
 * bochs-dispi display as an mdev, its video memory a BAR faulted in on demand through the device
 * fd's mmap, its framebuffer exported through VFIO_DEVICE_QUERY_GFX_PLANE and
 * VFIO_DEVICE_GET_GFX_DMABUF, and an EDID region. {@link org.jvmm.devices.mbochs.MbochsDriver} is
 * the parent and driver, {@link org.jvmm.devices.mbochs.MbochsDevice} one mdev.
 */
package org.jvmm.devices.mbochs;
