package org.jvmm.vfio;

import org.jvmm.vfio.uapi.VfioUapi;

/** struct vfio_group_status after VFIO_GROUP_GET_STATUS. */
public record GroupStatus(int flags) {
    public boolean viable() {
        return (flags & VfioUapi.VFIO_GROUP_FLAGS_VIABLE) != 0;
    }

    public boolean containerSet() {
        return (flags & VfioUapi.VFIO_GROUP_FLAGS_CONTAINER_SET) != 0;
    }
}
