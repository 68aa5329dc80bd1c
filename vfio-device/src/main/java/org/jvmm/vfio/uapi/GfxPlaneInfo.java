package org.jvmm.vfio.uapi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * struct vfio_device_gfx_plane_info (include/uapi/linux/vfio.h), the argument of
 * VFIO_DEVICE_QUERY_GFX_PLANE: 64 bytes, in little-endian host order. In: {@code argsz},
 * {@code flags} (PROBE, DMABUF, REGION) and {@code drm_plane_type}; out: the plane. Drivers need
 * {@code argsz} to reach the end of the {@code region_index}/{@code dmabuf_id} union
 * ({@link #MIN_ARGSZ} = 60) and write back only that much.
 *
 * <p>The struct lives in caller memory, as the ioctl's does; this class names its fields.
 */
public final class GfxPlaneInfo {
    private GfxPlaneInfo() {
    }

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    /** The layout, field by field; {@code drm_format_mod} is 8-byte aligned at 16. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("argsz"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("drm_plane_type"),
            ValueLayout.JAVA_INT.withName("drm_format"),
            ValueLayout.JAVA_LONG.withName("drm_format_mod"),
            ValueLayout.JAVA_INT.withName("width"),
            ValueLayout.JAVA_INT.withName("height"),
            ValueLayout.JAVA_INT.withName("stride"),
            ValueLayout.JAVA_INT.withName("size"),
            ValueLayout.JAVA_INT.withName("x_pos"),
            ValueLayout.JAVA_INT.withName("y_pos"),
            ValueLayout.JAVA_INT.withName("x_hot"),
            ValueLayout.JAVA_INT.withName("y_hot"),
            ValueLayout.JAVA_INT.withName("region_index_or_dmabuf_id"),
            ValueLayout.JAVA_INT.withName("reserved"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long ARGSZ = 0;
    public static final long FLAGS = offset("flags");
    public static final long DRM_PLANE_TYPE = offset("drm_plane_type");
    public static final long DRM_FORMAT = offset("drm_format");
    public static final long DRM_FORMAT_MOD = offset("drm_format_mod");
    public static final long WIDTH = offset("width");
    public static final long HEIGHT = offset("height");
    public static final long STRIDE = offset("stride");
    public static final long PLANE_SIZE = offset("size");
    public static final long X_POS = offset("x_pos");
    public static final long Y_POS = offset("y_pos");
    public static final long X_HOT = offset("x_hot");
    public static final long Y_HOT = offset("y_hot");
    /** The union of {@code region_index} and {@code dmabuf_id}. */
    public static final long REGION_INDEX = offset("region_index_or_dmabuf_id");
    public static final long DMABUF_ID = REGION_INDEX;
    /** offsetofend(region_index): the smallest argsz a driver takes, and what it writes back. */
    public static final int MIN_ARGSZ = (int) REGION_INDEX + 4;

    private static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** A zeroed struct in heap memory with argsz 64 and the caller's in-fields (flags, drm_plane_type). */
    public static MemorySegment request(int flags, int planeType) {
        MemorySegment s = MemorySegment.ofArray(new long[(int) (SIZE / 8)]);
        s.set(U32, ARGSZ, (int) SIZE);
        s.set(U32, FLAGS, flags);
        s.set(U32, DRM_PLANE_TYPE, planeType);
        return s;
    }

    public static int u32(MemorySegment s, long offset) {
        return s.get(U32, offset);
    }

    public static void putU32(MemorySegment s, long offset, int value) {
        s.set(U32, offset, value);
    }

    public static long u64(MemorySegment s, long offset) {
        return s.get(U64, offset);
    }

    public static void putU64(MemorySegment s, long offset, long value) {
        s.set(U64, offset, value);
    }
}
