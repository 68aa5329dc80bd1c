package org.jvmm.vfio.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The catalog of vfio-device trace events (Java Flight Recorder), one place as QEMU's trace-events
 * file is: a run recorded with {@code -XX:StartFlightRecording} can be explained afterwards
 * (which mappings existed when a device faulted, which ioctl failed with what). Events cost
 * nothing measurable while not enabled.
 */
public final class VfioTrace {
    private VfioTrace() {
    }

    /** VFIO_IOMMU_MAP_DMA, successful or not. */
    @Name("jvmm.vfio.MapDma")
    @Label("VFIO MAP_DMA")
    @Category({"jvmm", "vfio"})
    @StackTrace(false)
    public static final class MapDma extends Event {
        @Label("IOVA")
        public long iova;
        @Label("Size")
        public long size;
        @Label("Vaddr")
        public long vaddr;
        @Label("Flags")
        public int flags;
        @Label("Errno")
        @Description("0 on success")
        public int errno;
    }

    /** VFIO_IOMMU_UNMAP_DMA, successful or not. */
    @Name("jvmm.vfio.UnmapDma")
    @Label("VFIO UNMAP_DMA")
    @Category({"jvmm", "vfio"})
    @StackTrace(false)
    public static final class UnmapDma extends Event {
        @Label("IOVA")
        public long iova;
        @Label("Size requested")
        public long size;
        @Label("Bytes unmapped")
        public long unmapped;
        @Label("Flags")
        public int flags;
        @Label("Errno")
        public int errno;
    }
}
