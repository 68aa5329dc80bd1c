package org.jvmm.vfio.uapi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * struct vfio_region_gfx_edid (include/uapi/linux/vfio.h): the 24-byte register block at the start
 * of a VFIO_REGION_TYPE_GFX / VFIO_REGION_SUBTYPE_GFX_EDID region. {@code edid_offset} and
 * {@code edid_max_size} say where the blob area is and how large; {@code edid_size} and
 * {@code link_state} are the writable ones; {@code max_xres}/{@code max_yres} are 0 for "no limit".
 * The monitor is changed by writing link down, the blob and its size, then link up.
 */
public final class RegionGfxEdid {
    private RegionGfxEdid() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("edid_offset"),
            ValueLayout.JAVA_INT.withName("edid_max_size"),
            ValueLayout.JAVA_INT.withName("edid_size"),
            ValueLayout.JAVA_INT.withName("max_xres"),
            ValueLayout.JAVA_INT.withName("max_yres"),
            ValueLayout.JAVA_INT.withName("link_state"));

    public static final int SIZE = (int) LAYOUT.byteSize();
    public static final int EDID_OFFSET = offset("edid_offset");
    public static final int EDID_MAX_SIZE = offset("edid_max_size");
    public static final int EDID_SIZE = offset("edid_size");
    public static final int MAX_XRES = offset("max_xres");
    public static final int MAX_YRES = offset("max_yres");
    public static final int LINK_STATE = offset("link_state");

    private static int offset(String field) {
        return (int) LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
