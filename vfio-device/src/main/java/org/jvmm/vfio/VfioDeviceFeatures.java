package org.jvmm.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.vfio.uapi.DeviceFeature;

/**
 * VFIO_DEVICE_FEATURE as drivers/vfio/vfio_main.c answers it (vfio_ioctl_device_feature and the
 * core's own features), for {@link VfioDevice#feature}.
 *
 * <ul>
 * <li>The header: a struct shorter than 8 bytes in caller memory EFAULT; argsz below 8 EINVAL; a
 *     flag other than the feature number, GET, SET and PROBE EINVAL; GET with SET without PROBE
 *     EINVAL.</li>
 * <li>Each core feature first needs the driver's callbacks (migration ops for MIGRATION,
 *     MIG_DEVICE_STATE and MIG_DATA_SIZE; log ops for DMA_LOGGING_*), else ENOTTY; then
 *     vfio_check_feature: GET or SET the feature does not take EINVAL; PROBE alone succeeds with
 *     nothing done; neither GET nor SET EINVAL; a payload (argsz - 8) below the feature's struct
 *     EINVAL.</li>
 * <li>MIG_DEVICE_STATE writes data_fd -1 back whenever no file comes out, an error included;
 *     GET also writes the current device_state.</li>
 * <li>Any other feature number goes to the driver's device_feature; a driver without one
 *     (every mdev vendor driver here) answers EINVAL, vfio-pci ENOTTY.</li>
 * </ul>
 */
final class VfioDeviceFeatures {
    private VfioDeviceFeatures() {
    }

    static final String OP = "VFIO_DEVICE_FEATURE";
    /** LOG_MAX_RANGES: ranges that fit in one 4 KiB page of 16-byte entries. */
    static final int LOG_MAX_RANGES = 4096 / 16;

    static MigrationFile ioctl(VfioDeviceOps ops, MemorySegment arg, HostMemoryRegistry memory) {
        if (arg.byteSize() < DeviceFeature.DATA) {
            throw new ErrnoException(OP, Errno.EFAULT, "the struct in caller memory has " + arg.byteSize() + " bytes, fewer than the 8-byte header");
        }
        long argsz = Integer.toUnsignedLong(DeviceFeature.u32(arg, DeviceFeature.ARGSZ));
        int flags = DeviceFeature.u32(arg, DeviceFeature.FLAGS);
        if (argsz < DeviceFeature.DATA) {
            throw new ErrnoException(OP, Errno.EINVAL, "argsz " + argsz + " is below 8");
        }
        int known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PROBE;
        if ((flags & ~known) != 0) {
            throw new ErrnoException(OP, Errno.EINVAL, "flags " + hex(Integer.toUnsignedLong(flags)) + " has unknown bits "
                    + hex(Integer.toUnsignedLong(flags & ~known)));
        }
        if ((flags & VFIO_DEVICE_FEATURE_PROBE) == 0 && (flags & VFIO_DEVICE_FEATURE_GET) != 0
                && (flags & VFIO_DEVICE_FEATURE_SET) != 0) {
            throw new ErrnoException(OP, Errno.EINVAL, "GET and SET together need PROBE");
        }
        MemorySegment data = arg.asSlice(DeviceFeature.DATA);
        long payload = argsz - DeviceFeature.DATA;
        int feature = flags & VFIO_DEVICE_FEATURE_MASK;
        switch (feature) {
            case VFIO_DEVICE_FEATURE_MIGRATION -> {
                VfioMigrationOps mig = migrationOps(ops, feature);
                if (check(flags, payload, VFIO_DEVICE_FEATURE_GET, DeviceFeature.MIGRATION.byteSize(), feature)) {
                    need(data, 8);
                    DeviceFeature.putU64(data, 0, mig.migrationFlags());
                }
                return null;
            }
            case VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE -> {
                return migDeviceState(migrationOps(ops, feature), flags, payload, data);
            }
            case VFIO_DEVICE_FEATURE_MIG_DATA_SIZE -> {
                VfioMigrationOps mig = migrationOps(ops, feature);
                if (check(flags, payload, VFIO_DEVICE_FEATURE_GET, DeviceFeature.MIG_DATA_SIZE.byteSize(), feature)) {
                    long size = mig.dataSize();
                    need(data, 8);
                    DeviceFeature.putU64(data, 0, size);
                }
                return null;
            }
            case VFIO_DEVICE_FEATURE_DMA_LOGGING_START -> {
                loggingStart(logOps(ops, feature), flags, payload, data, memory);
                return null;
            }
            case VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP -> {
                VfioLogOps log = logOps(ops, feature);
                if (check(flags, payload, VFIO_DEVICE_FEATURE_SET, 0, feature)) {
                    log.logStop();
                }
                return null;
            }
            case VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT -> {
                loggingReport(logOps(ops, feature), flags, payload, data, memory);
                return null;
            }
            default -> {
                ops.deviceFeature(flags, data, payload);
                return null;
            }
        }
    }

    private static VfioMigrationOps migrationOps(VfioDeviceOps ops, int feature) {
        VfioMigrationOps m = ops.migrationOps();
        if (m == null) {
            throw new ErrnoException(OP, Errno.ENOTTY, ops.name() + " has no migration support (feature " + feature + ")");
        }
        return m;
    }

    private static VfioLogOps logOps(VfioDeviceOps ops, int feature) {
        VfioLogOps l = ops.logOps();
        if (l == null) {
            throw new ErrnoException(OP, Errno.ENOTTY, ops.name() + " has no DMA dirty logging (feature " + feature + ")");
        }
        return l;
    }

    /**
     * vfio_check_feature: true when the GET or SET is to be done, false for a PROBE that
     * succeeded; EINVAL as described in the class comment.
     */
    static boolean check(int flags, long payload, int supported, long minsz, int feature) {
        int getSet = flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET);
        if ((getSet & ~supported) != 0) {
            throw new ErrnoException(OP, Errno.EINVAL, "feature " + feature + " does not take "
                    + ((getSet & ~supported) == VFIO_DEVICE_FEATURE_GET ? "GET" : "SET"));
        }
        if ((flags & VFIO_DEVICE_FEATURE_PROBE) != 0) {
            return false;
        }
        if (getSet == 0) {
            throw new ErrnoException(OP, Errno.EINVAL, "feature " + feature + ": without PROBE, GET or SET is needed");
        }
        if (payload < minsz) {
            throw new ErrnoException(OP, Errno.EINVAL, "feature " + feature + ": argsz leaves " + payload
                    + " bytes of data, below its " + minsz);
        }
        return true;
    }

    /** copy_from_user/copy_to_user of {@code size} bytes of the payload: EFAULT past the caller's memory. */
    private static void need(MemorySegment data, long size) {
        if (data.byteSize() < size) {
            throw new ErrnoException(OP, Errno.EFAULT, "the feature data needs " + size + " bytes; the caller's memory has "
                    + data.byteSize());
        }
    }

    private static MigrationFile migDeviceState(VfioMigrationOps mig, int flags, long payload, MemorySegment data) {
        int feature = VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
        if (!check(flags, payload, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET, DeviceFeature.MIG_STATE.byteSize(), feature)) {
            return null;
        }
        need(data, DeviceFeature.MIG_STATE.byteSize());
        if ((flags & VFIO_DEVICE_FEATURE_GET) != 0) {
            DeviceFeature.putU32(data, DeviceFeature.MIG_STATE_DEVICE_STATE, mig.getState());
            DeviceFeature.putU32(data, DeviceFeature.MIG_STATE_DATA_FD, -1);
            return null;
        }
        int target = DeviceFeature.u32(data, DeviceFeature.MIG_STATE_DEVICE_STATE);
        MigrationFile f;
        try {
            f = mig.setState(target);
        } catch (ErrnoException e) {
            DeviceFeature.putU32(data, DeviceFeature.MIG_STATE_DATA_FD, -1);
            throw e;
        }
        DeviceFeature.putU32(data, DeviceFeature.MIG_STATE_DATA_FD, f == null ? -1 : f.fd());
        return f;
    }

    private static void loggingStart(VfioLogOps log, int flags, long payload, MemorySegment data, HostMemoryRegistry memory) {
        int feature = VFIO_DEVICE_FEATURE_DMA_LOGGING_START;
        if (!check(flags, payload, VFIO_DEVICE_FEATURE_SET, DeviceFeature.DMA_LOGGING_CONTROL.byteSize(), feature)) {
            return;
        }
        need(data, DeviceFeature.DMA_LOGGING_CONTROL.byteSize());
        long pageSize = DeviceFeature.u64(data, DeviceFeature.LOGGING_PAGE_SIZE);
        long n = Integer.toUnsignedLong(DeviceFeature.u32(data, DeviceFeature.LOGGING_NUM_RANGES));
        long rangesPtr = DeviceFeature.u64(data, DeviceFeature.LOGGING_RANGES);
        if (n == 0) {
            throw new ErrnoException(OP, Errno.EINVAL, "DMA_LOGGING_START with num_ranges 0");
        }
        if (n > LOG_MAX_RANGES) {
            throw new ErrnoException(OP, Errno.E2BIG, "num_ranges " + n + " > " + LOG_MAX_RANGES);
        }
        long[][] ranges = new long[(int) n][];
        for (int i = 0; i < n; i++) {
            MemorySegment r = memory.resolve(OP, HostAddress.of(rangesPtr + 16L * i), 16);
            long iova = DeviceFeature.u64(r, 0);
            long length = DeviceFeature.u64(r, 8);
            if ((iova & (pageSize - 1)) != 0 || (length & (pageSize - 1)) != 0) {
                throw new ErrnoException(OP, Errno.EINVAL, "range " + i + " (iova " + hex(iova) + ", length " + hex(length)
                        + ") is not aligned to page_size " + hex(pageSize));
            }
            if (Long.compareUnsigned(iova + length, iova) < 0) {
                throw new ErrnoException(OP, Errno.EOVERFLOW, "range " + i + ": iova " + hex(iova) + " + length " + hex(length) + " wraps");
            }
            long last = iova + length - 1;
            for (int j = 0; j < i; j++) {
                if (Long.compareUnsigned(iova, ranges[j][1]) <= 0 && Long.compareUnsigned(ranges[j][0], last) <= 0) {
                    throw new ErrnoException(OP, Errno.EINVAL, "range " + i + " overlaps range " + j);
                }
            }
            ranges[i] = new long[] {iova, last};
        }
        java.util.List<VfioLogOps.Range> checked = new java.util.ArrayList<>((int) n);
        for (long[] r : ranges) {
            checked.add(new VfioLogOps.Range(org.jvmm.address.Iova.of(r[0]), r[1] - r[0] + 1));
        }
        long used = log.logStart(checked, pageSize);
        DeviceFeature.putU64(data, DeviceFeature.LOGGING_PAGE_SIZE, used);
    }

    private static void loggingReport(VfioLogOps log, int flags, long payload, MemorySegment data, HostMemoryRegistry memory) {
        int feature = VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT;
        if (!check(flags, payload, VFIO_DEVICE_FEATURE_GET, DeviceFeature.DMA_LOGGING_REPORT.byteSize(), feature)) {
            return;
        }
        need(data, DeviceFeature.DMA_LOGGING_REPORT.byteSize());
        long iova = DeviceFeature.u64(data, DeviceFeature.REPORT_IOVA);
        long length = DeviceFeature.u64(data, DeviceFeature.REPORT_LENGTH);
        long pageSize = DeviceFeature.u64(data, DeviceFeature.REPORT_PAGE_SIZE);
        long bitmap = DeviceFeature.u64(data, DeviceFeature.REPORT_BITMAP);
        if (Long.compareUnsigned(pageSize, 4096) < 0 || Long.bitCount(pageSize) != 1) {
            throw new ErrnoException(OP, Errno.EINVAL, "page_size " + hex(pageSize) + " is below 4 KiB or not a power of 2");
        }
        if (Long.compareUnsigned(iova + length, iova) < 0) {
            throw new ErrnoException(OP, Errno.EOVERFLOW, "iova " + hex(iova) + " + length " + hex(length) + " wraps");
        }
        long pages = Long.divideUnsigned(length, pageSize) + (Long.remainderUnsigned(length, pageSize) != 0 ? 1 : 0);
        long bytes = Long.divideUnsigned(pages + 63, 64) * 8;
        MemorySegment bits = bytes == 0 ? MemorySegment.NULL : memory.resolve(OP, HostAddress.of(bitmap), bytes);
        log.logReadAndClear(org.jvmm.address.Iova.of(iova), length, pageSize, bits);
    }
}
