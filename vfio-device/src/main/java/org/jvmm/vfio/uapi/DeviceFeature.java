package org.jvmm.vfio.uapi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The structs of VFIO_DEVICE_FEATURE and device migration (include/uapi/linux/vfio.h), in
 * little-endian host order: the header {@code struct vfio_device_feature} (argsz, flags, then the
 * feature's data), the feature payloads, and {@code struct vfio_precopy_info} of the data fd's
 * VFIO_MIG_GET_PRECOPY_INFO. The structs live in caller memory, as the ioctls' do; this class names
 * their fields and sizes (tests pin them).
 */
public final class DeviceFeature {
    private DeviceFeature() {
    }

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    /** struct vfio_device_feature: argsz, flags (feature number in the low 16 bits, GET/SET/PROBE), data[]. */
    public static final StructLayout HEADER = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("argsz"),
            ValueLayout.JAVA_INT.withName("flags"));
    public static final long ARGSZ = 0;
    public static final long FLAGS = 4;
    /** offsetof(data): where the feature's own struct starts, and offsetofend(flags), the header's minsz. */
    public static final int DATA = (int) HEADER.byteSize();

    /** struct vfio_device_feature_migration: the device's VFIO_MIGRATION_* flags (u64). */
    public static final StructLayout MIGRATION = MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("flags"));

    /** struct vfio_device_feature_mig_state: device_state (u32), data_fd (s32). */
    public static final StructLayout MIG_STATE = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("device_state"),
            ValueLayout.JAVA_INT.withName("data_fd"));
    public static final long MIG_STATE_DEVICE_STATE = 0;
    public static final long MIG_STATE_DATA_FD = 4;

    /** struct vfio_device_feature_mig_data_size: stop_copy_length (u64). */
    public static final StructLayout MIG_DATA_SIZE = MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("stop_copy_length"));

    /** struct vfio_precopy_info: argsz, flags, initial_bytes, dirty_bytes (24 bytes; the minsz too). */
    public static final StructLayout PRECOPY_INFO = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("argsz"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_LONG.withName("initial_bytes"),
            ValueLayout.JAVA_LONG.withName("dirty_bytes"));
    public static final long PRECOPY_INITIAL_BYTES = offset(PRECOPY_INFO, "initial_bytes");
    public static final long PRECOPY_DIRTY_BYTES = offset(PRECOPY_INFO, "dirty_bytes");

    /** struct vfio_device_feature_dma_logging_control: page_size, num_ranges, __reserved, ranges (a user pointer). */
    public static final StructLayout DMA_LOGGING_CONTROL = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("page_size"),
            ValueLayout.JAVA_INT.withName("num_ranges"),
            ValueLayout.JAVA_INT.withName("__reserved"),
            ValueLayout.JAVA_LONG.withName("ranges"));
    public static final long LOGGING_PAGE_SIZE = 0;
    public static final long LOGGING_NUM_RANGES = offset(DMA_LOGGING_CONTROL, "num_ranges");
    public static final long LOGGING_RANGES = offset(DMA_LOGGING_CONTROL, "ranges");

    /** struct vfio_device_feature_dma_logging_range: iova, length. */
    public static final StructLayout DMA_LOGGING_RANGE = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("iova"),
            ValueLayout.JAVA_LONG.withName("length"));

    /** struct vfio_device_feature_dma_logging_report: iova, length, page_size, bitmap (a user pointer). */
    public static final StructLayout DMA_LOGGING_REPORT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("iova"),
            ValueLayout.JAVA_LONG.withName("length"),
            ValueLayout.JAVA_LONG.withName("page_size"),
            ValueLayout.JAVA_LONG.withName("bitmap"));
    public static final long REPORT_IOVA = 0;
    public static final long REPORT_LENGTH = offset(DMA_LOGGING_REPORT, "length");
    public static final long REPORT_PAGE_SIZE = offset(DMA_LOGGING_REPORT, "page_size");
    public static final long REPORT_BITMAP = offset(DMA_LOGGING_REPORT, "bitmap");

    private static long offset(StructLayout l, String field) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * A zeroed struct vfio_device_feature in heap memory with room for {@code dataSize} bytes of
     * feature data, argsz {@code 8 + dataSize} and {@code flags} (feature number | GET/SET/PROBE).
     */
    public static MemorySegment request(int flags, int dataSize) {
        MemorySegment s = MemorySegment.ofArray(new byte[DATA + dataSize]);
        s.set(U32, ARGSZ, DATA + dataSize);
        s.set(U32, FLAGS, flags);
        return s;
    }

    /** A MIG_DEVICE_STATE request with GET or SET in {@code op} and {@code deviceState}; data_fd 0 as a caller would leave it. */
    public static MemorySegment migState(int op, int deviceState) {
        MemorySegment s = request(VfioUapi.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE | op, (int) MIG_STATE.byteSize());
        s.set(U32, DATA + MIG_STATE_DEVICE_STATE, deviceState);
        return s;
    }

    /** A zeroed struct vfio_precopy_info with argsz 24. */
    public static MemorySegment precopyInfo() {
        MemorySegment s = MemorySegment.ofArray(new byte[(int) PRECOPY_INFO.byteSize()]);
        s.set(U32, 0, (int) PRECOPY_INFO.byteSize());
        return s;
    }

    public static int u32(MemorySegment s, long offset) {
        return s.get(U32, offset);
    }

    public static long u64(MemorySegment s, long offset) {
        return s.get(U64, offset);
    }

    public static void putU32(MemorySegment s, long offset, int value) {
        s.set(U32, offset, value);
    }

    public static void putU64(MemorySegment s, long offset, long value) {
        s.set(U64, offset, value);
    }

    /** The name of a vfio_device_mig_state value (e.g. {@code STOP_COPY}), or its number when out of range. */
    public static String stateName(int state) {
        return switch (state) {
            case VfioUapi.VFIO_DEVICE_STATE_ERROR -> "ERROR";
            case VfioUapi.VFIO_DEVICE_STATE_STOP -> "STOP";
            case VfioUapi.VFIO_DEVICE_STATE_RUNNING -> "RUNNING";
            case VfioUapi.VFIO_DEVICE_STATE_STOP_COPY -> "STOP_COPY";
            case VfioUapi.VFIO_DEVICE_STATE_RESUMING -> "RESUMING";
            case VfioUapi.VFIO_DEVICE_STATE_RUNNING_P2P -> "RUNNING_P2P";
            case VfioUapi.VFIO_DEVICE_STATE_PRE_COPY -> "PRE_COPY";
            case VfioUapi.VFIO_DEVICE_STATE_PRE_COPY_P2P -> "PRE_COPY_P2P";
            default -> Integer.toUnsignedString(state);
        };
    }
}
