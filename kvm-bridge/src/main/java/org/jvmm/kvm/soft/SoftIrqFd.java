package org.jvmm.kvm.soft;

import java.util.concurrent.atomic.AtomicLong;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.AbstractIrqFd;
import org.jvmm.kvm.Gsi;

/**
 * An irqfd of a {@link SoftVm}. It sits on its eventfd's wait queue ({@link EventFd#addWakeup}),
 * as KVM's irqfd_wakeup does: once the VM has an XICS, a signal consumes the count and raises the
 * routed source on the signalling thread (see {@link SoftVm#irqfdSignalled}). Without an XICS the
 * count stays on the eventfd. Either way {@link SoftVm#pollIrqFds()} tells which GSIs fired.
 */
final class SoftIrqFd extends AbstractIrqFd {
    private final SoftVm vm;
    private final Runnable wakeup = this::signalled;
    private final AtomicLong delivered = new AtomicLong();
    /** True while the routed LSI is held asserted, waiting for the guest's EOI (resample). */
    volatile boolean levelHeld;

    SoftIrqFd(SoftVm vm, EventFd eventFd, Gsi gsi, EventFd resample) {
        super(vm, eventFd, gsi, resample);
        this.vm = vm;
        eventFd.addWakeup(wakeup);
    }

    private void signalled() {
        vm.irqfdSignalled(this);
    }

    void countDelivery() {
        delivered.incrementAndGet();
    }

    /** True when a signal was delivered since the last call. */
    boolean takeDelivered() {
        return delivered.getAndSet(0) != 0;
    }

    @Override
    protected void release() {
        eventFd().removeWakeup(wakeup);
        vm.removeIrqFd(this);
    }
}
