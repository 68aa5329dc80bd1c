package org.jvmm.iommu;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The host IOMMU's trace events (Java Flight Recorder). The event keeps the name it had when it
 * was catalogued with the VFIO events ({@code jvmm.vfio.IommuFault}), so recordings and their
 * readers stay valid. Costs nothing measurable while not enabled.
 */
public final class IommuTrace {
    private IommuTrace() {
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
}
