package org.jvmm.kvm.linux;

import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.kvm.AbstractMemslot;
import org.jvmm.kvm.MemslotFlag;

/** A memslot of a {@link LinuxVm}; closing deletes the slot. Any thread; state guarded by the VM. */
final class LinuxMemslot extends AbstractMemslot {
    private final LinuxVm vm;

    LinuxMemslot(LinuxVm vm, int slot, GuestAddress guestAddress, long size, HostAddress hostAddress,
            Set<MemslotFlag> flags) {
        super(vm, slot, guestAddress, size, hostAddress, flags);
        this.vm = vm;
    }

    @Override
    protected void release() {
        vm.deleteMemslot(this);
    }
}
