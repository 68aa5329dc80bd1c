package org.jvmm.vfio;

import java.util.List;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * struct vfio_region_info after VFIO_DEVICE_GET_REGION_INFO: flags (READ, WRITE, MMAP, CAPS), the
 * region's size and its offset in the device file ({@code index << 40} for vfio-pci), and the
 * capability chain.
 */
public record RegionInfo(int index, int flags, long size, long offset, List<RegionCapability> caps) {
    public RegionInfo {
        caps = List.copyOf(caps);
    }

    public boolean readable() {
        return (flags & VfioUapi.VFIO_REGION_INFO_FLAG_READ) != 0;
    }

    public boolean writable() {
        return (flags & VfioUapi.VFIO_REGION_INFO_FLAG_WRITE) != 0;
    }

    public boolean mmappable() {
        return (flags & VfioUapi.VFIO_REGION_INFO_FLAG_MMAP) != 0;
    }

    /** The sparse-mmap capability, or null. */
    public RegionCapability.SparseMmap sparseMmap() {
        for (RegionCapability c : caps) {
            if (c instanceof RegionCapability.SparseMmap s) {
                return s;
            }
        }
        return null;
    }
}
