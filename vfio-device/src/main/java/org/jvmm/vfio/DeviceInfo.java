package org.jvmm.vfio;

/** struct vfio_device_info after VFIO_DEVICE_GET_INFO. */
public record DeviceInfo(int flags, int numRegions, int numIrqs) {
}
