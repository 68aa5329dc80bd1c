package org.jvmm.kvm.soft;

import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.IrqFd;

/**
 * An irqfd of a {@link SoftVm}. The pseries skeleton has no interrupt controller yet (XICS comes
 * with the software CPU), so the wiring is kept and its signals are collected by
 * {@link SoftVm#pollIrqFds()}, which tells which GSIs fired.
 */
final class SoftIrqFd implements IrqFd {
    private final SoftVm vm;
    private final EventFd eventFd;
    private final Gsi gsi;
    private final EventFd resample;
    private boolean closed;

    SoftIrqFd(SoftVm vm, EventFd eventFd, Gsi gsi, EventFd resample) {
        this.vm = vm;
        this.eventFd = eventFd;
        this.gsi = gsi;
        this.resample = resample;
    }

    @Override
    public EventFd eventFd() {
        return eventFd;
    }

    @Override
    public Gsi gsi() {
        return gsi;
    }

    @Override
    public EventFd resample() {
        return resample;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("irqfd for " + gsi + " closed twice");
            }
            closed = true;
        }
        vm.removeIrqFd(this);
    }
}
