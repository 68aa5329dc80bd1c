package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jvmm.address.Iova;

/**
 * A driver's DMA dirty-logging callbacks (struct vfio_log_ops), reached through the
 * DMA_LOGGING_START/STOP/REPORT features after the core checked the arguments. A device without
 * them answers those features ENOTTY. An {@link org.jvmm.host.ErrnoException} is the ioctl's result.
 */
public interface VfioLogOps {

    /** One range to log: [iova, iova + length), page-aligned, not wrapping. */
    record Range(Iova iova, long length) {
    }

    /** log_start over the checked, non-overlapping ranges; returns the page size used. */
    long logStart(List<Range> ranges, long pageSize);

    /** log_stop. */
    void logStop();

    /**
     * log_read_and_clear of [iova, iova + length): sets bit i of {@code bitmap} (page {@code i} of
     * {@code pageSize} from {@code iova}) for each page dirtied since the last report.
     */
    void logReadAndClear(Iova iova, long length, long pageSize, MemorySegment bitmap);
}
