package org.jvmm.iommu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults the host's IOMMU recorded, newest last, in a bounded ring (the oldest are dropped
 * past {@code capacity}, as a hardware fault queue would, but {@link #total()} keeps counting).
 *
 * <p>Thread-safe: faults are recorded from device threads and vCPU threads.
 */
public final class IommuFaultLog {
    private final int capacity;
    private final ArrayList<IommuFault> faults = new ArrayList<>();
    private final AtomicLong total = new AtomicLong();

    public IommuFaultLog(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("fault log capacity " + capacity + " must be positive");
        }
        this.capacity = capacity;
    }

    public IommuFaultLog() {
        this(4096);
    }

    public synchronized void record(IommuFault fault) {
        IommuTrace.IommuFault ev = org.jvmm.host.trace.Jfr.started() ? new IommuTrace.IommuFault() : null;
        if (ev != null && ev.shouldCommit()) {
            ev.device = fault.device().toString();
            ev.iova = fault.iova().value();
            ev.size = fault.size();
            ev.access = fault.access().name();
            ev.reason = fault.reason().name();
            ev.commit();
        }
        org.jvmm.host.trace.TraceHook hook = org.jvmm.host.trace.TraceHook.installed();
        if (hook != null) {
            hook.iommuFault(fault.device().toString(), fault.iova().value(), fault.size(), fault.access().name(), fault.reason().name());
        }
        if (faults.size() == capacity) {
            faults.remove(0);
        }
        faults.add(fault);
        total.incrementAndGet();
    }

    /** A snapshot of the retained faults, oldest first. */
    public synchronized List<IommuFault> faults() {
        return List.copyOf(faults);
    }

    /** The most recent fault, or null. */
    public synchronized IommuFault last() {
        return faults.isEmpty() ? null : faults.get(faults.size() - 1);
    }

    /** Faults recorded since creation, including dropped ones. */
    public long total() {
        return total.get();
    }

    public synchronized void clear() {
        faults.clear();
    }
}
