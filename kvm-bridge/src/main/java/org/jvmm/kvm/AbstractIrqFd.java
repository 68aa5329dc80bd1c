package org.jvmm.kvm;

import org.jvmm.host.sys.EventFd;

/**
 * What every backend's irqfd shares: the eventfds and GSI it wires, and closing once under the
 * VM's lock. A backend supplies {@link #release()}, which undoes the wiring (it may refuse by
 * throwing, and the irqfd then stays open).
 */
public abstract class AbstractIrqFd implements IrqFd {
    private final Object vmLock;
    private final EventFd eventFd;
    private final Gsi gsi;
    private final EventFd resample;
    private boolean closed;

    protected AbstractIrqFd(Object vmLock, EventFd eventFd, Gsi gsi, EventFd resample) {
        this.vmLock = vmLock;
        this.eventFd = eventFd;
        this.gsi = gsi;
        this.resample = resample;
    }

    @Override
    public final EventFd eventFd() {
        return eventFd;
    }

    @Override
    public final Gsi gsi() {
        return gsi;
    }

    @Override
    public final EventFd resample() {
        return resample;
    }

    /** Undoes the wiring in the VM; called with the VM's lock held, once. */
    protected abstract void release();

    @Override
    public final void close() {
        synchronized (vmLock) {
            if (closed) {
                throw new IllegalStateException(this + " closed twice");
            }
            release();
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "IrqFd[" + eventFd + " -> " + gsi + (resample == null ? "" : ", resample " + resample) + "]";
    }
}
