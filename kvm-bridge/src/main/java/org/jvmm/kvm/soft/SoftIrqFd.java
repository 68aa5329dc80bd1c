package org.jvmm.kvm.soft;

import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.AbstractIrqFd;
import org.jvmm.kvm.Gsi;

/**
 * An irqfd of a {@link SoftVm}. The pseries skeleton has no interrupt controller yet (XICS comes
 * with the software CPU), so the wiring is kept and its signals are collected by
 * {@link SoftVm#pollIrqFds()}, which tells which GSIs fired.
 */
final class SoftIrqFd extends AbstractIrqFd {
    private final SoftVm vm;

    SoftIrqFd(SoftVm vm, EventFd eventFd, Gsi gsi, EventFd resample) {
        super(vm, eventFd, gsi, resample);
        this.vm = vm;
    }

    @Override
    protected void release() {
        vm.removeIrqFd(this);
    }
}
