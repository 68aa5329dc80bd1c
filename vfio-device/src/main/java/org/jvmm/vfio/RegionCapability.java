package org.jvmm.vfio;

import java.util.List;

/** A capability in a region's info chain (VFIO_REGION_INFO_FLAG_CAPS). */
public sealed interface RegionCapability {

    /** One mmap-able window of a region: [offset, offset + size) relative to the region. */
    record Area(long offset, long size) {
    }

    /**
     * VFIO_REGION_INFO_CAP_SPARSE_MMAP (id 1, version 1): only these areas of the region may be
     * mmap-ed; the rest (e.g. the MSI-X table) is trapped and must be accessed by read/write.
     */
    record SparseMmap(List<Area> areas) implements RegionCapability {
        public SparseMmap {
            areas = List.copyOf(areas);
        }
    }

    /**
     * VFIO_REGION_INFO_CAP_TYPE (id 2, version 1): a device-specific region's type and subtype,
     * e.g. VFIO_REGION_TYPE_GFX (1) / VFIO_REGION_SUBTYPE_GFX_EDID (1) for an EDID region.
     */
    record Type(int type, int subtype) implements RegionCapability {
    }
}
