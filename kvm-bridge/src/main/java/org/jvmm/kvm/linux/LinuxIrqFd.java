package org.jvmm.kvm.linux;

import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.IrqFd;

/** An irqfd of a {@link LinuxVm}; closing deassigns it. Any thread; state guarded by the VM. */
final class LinuxIrqFd implements IrqFd {
    private final LinuxVm vm;
    private final EventFd eventFd;
    private final Gsi gsi;
    private final EventFd resample;
    private boolean closed;

    LinuxIrqFd(LinuxVm vm, EventFd eventFd, Gsi gsi, EventFd resample) {
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
        synchronized (vm) {
            if (closed) {
                throw new IllegalStateException(this + " closed twice");
            }
            if (eventFd.isClosed()) {
                throw new IllegalStateException(this + ": its eventfd was closed first; close the irqfd before the "
                        + "eventfd it names (the kernel finds the irqfd by that fd)");
            }
            vm.deassignIrqfd(this);
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "IrqFd[" + eventFd + " -> " + gsi + (resample == null ? "" : ", resample " + resample) + "]";
    }
}
