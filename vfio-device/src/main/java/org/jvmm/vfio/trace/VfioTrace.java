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

    /** A device DMA the IOMMU refused. */
    @Name("jvmm.vfio.IommuFault")
    @Label("IOMMU fault")
    @Category({"jvmm", "vfio"})
    @StackTrace(false)
    public static final class IommuFault extends Event {
        @Label("Device")
        public String device;
        @Label("IOVA")
        public long iova;
        @Label("Size")
        public long size;
        @Label("Access")
        public String access;
        @Label("Reason")
        public String reason;
    }

    /**
     * A request a device model refused because the guest got it wrong (QEMU's LOG_GUEST_ERROR),
     * from {@link org.jvmm.pci.GuestErrorLog}.
     */
    @Name("jvmm.device.GuestError")
    @Label("Guest error")
    @Category({"jvmm", "device"})
    @StackTrace(false)
    public static final class GuestError extends Event {
        @Label("Device")
        public String device;
        @Label("Kind")
        @Description("the rule the guest broke, e.g. dma-range")
        public String kind;
        @Label("Message")
        public String message;
    }
}
