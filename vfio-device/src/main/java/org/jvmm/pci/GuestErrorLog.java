package org.jvmm.pci;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;


/**
 * A device model's record of what the guest asked of it wrongly (QEMU's
 * {@code qemu_log_mask(LOG_GUEST_ERROR, ...)}): a command with a range outside the device, a
 * count that cannot be, an access the register file does not have. The device refuses such a
 * request as its hardware would and carries on; this log counts it, keeps the latest message, and
 * emits a {@link PciTrace.GuestError} JFR event, so a run can show and explain the refusals. One
 * log per device instance; any device model can own one and return it from
 * {@link PciDeviceModel#guestErrors()}.
 *
 * <p>Messages are built by the caller on the error path only. Threads: any; the count is a
 * lock-free adder and the latest message a volatile field.
 */
public final class GuestErrorLog {
    private final String device;
    private final LongAdder count = new LongAdder();
    private volatile String last;

    /** @param device what the JFR events and messages name (e.g. "edu") */
    public GuestErrorLog(String device) {
        this.device = Objects.requireNonNull(device, "device");
    }

    public String device() {
        return device;
    }

    /**
     * Records one guest error.
     *
     * @param kind a short, stable name of the rule broken (e.g. "dma-range"), for filtering events
     * @param message what the guest asked and why it was refused, with the offending values
     */
    public void log(String kind, String message) {
        count.increment();
        last = kind + ": " + message;
        org.jvmm.host.trace.TraceHook hook = org.jvmm.host.trace.TraceHook.installed();
        if (hook != null) {
            hook.guestError(device, kind, message);
        }
        PciTrace.GuestError e = org.jvmm.host.trace.Jfr.started() ? new PciTrace.GuestError() : null;
        if (e != null && e.isEnabled()) {
            e.device = device;
            e.kind = kind;
            e.message = message;
            e.commit();
        }
    }

    /** Guest errors recorded so far. */
    public long count() {
        return count.sum();
    }

    /** The latest message ("kind: message"), or null when none was recorded. */
    public String last() {
        return last;
    }

    @Override
    public String toString() {
        return "GuestErrorLog[" + device + ", " + count() + " errors]";
    }
}
