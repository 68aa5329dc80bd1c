package org.jvmm.kvm.linux;

import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.AbstractIrqFd;
import org.jvmm.kvm.Gsi;

/** An irqfd of a {@link LinuxVm}; closing deassigns it. Any thread; state guarded by the VM. */
final class LinuxIrqFd extends AbstractIrqFd {
    private final LinuxVm vm;

    LinuxIrqFd(LinuxVm vm, EventFd eventFd, Gsi gsi, EventFd resample) {
        super(vm, eventFd, gsi, resample);
        this.vm = vm;
    }

    @Override
    protected void release() {
        if (eventFd().isClosed()) {
            throw new IllegalStateException(this + ": its eventfd was closed first; close the irqfd before the "
                    + "eventfd it names (the kernel finds the irqfd by that fd)");
        }
        vm.deassignIrqfd(this);
    }
}
