package org.jvmm.pci;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Trace events of PCI device models (Java Flight Recorder); nothing measurable while not enabled. */
public final class PciTrace {
    private PciTrace() {
    }

    /**
     * A request a device model refused because the guest got it wrong (QEMU's LOG_GUEST_ERROR),
     * from {@link GuestErrorLog}.
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
