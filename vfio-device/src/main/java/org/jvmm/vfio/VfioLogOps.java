package org.jvmm.vfio;

/**
 * A driver's DMA dirty-logging callbacks (struct vfio_log_ops), reached through the
 * DMA_LOGGING_START/STOP/REPORT features after the core checked the arguments. A device without
 * them answers those features ENOTTY. An {@link org.jvmm.host.ErrnoException} is the ioctl's result.
 */
public interface VfioLogOps {

    /** log_start over the checked, non-overlapping ranges ({iova, length} pairs); returns the page size used. */
    long logStart(long[][] ranges, long pageSize);

    /** log_stop. */
    void logStop();

    /**
     * log_read_and_clear of [iova, iova + length): sets bit i of {@code bitmap} (page {@code i} of
     * {@code pageSize} from {@code iova}) for each page dirtied since the last report.
     */
    void logReadAndClear(long iova, long length, long pageSize, java.lang.foreign.MemorySegment bitmap);
}
