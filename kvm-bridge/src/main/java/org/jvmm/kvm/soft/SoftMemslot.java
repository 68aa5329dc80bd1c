package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.kvm.AbstractMemslot;
import org.jvmm.kvm.MemslotFlag;

/** A memslot of a {@link SoftVm}: guest-physical memory backed by a registered host mapping. */
final class SoftMemslot extends AbstractMemslot {
    private final SoftVm vm;
    final MemorySegment memory;

    SoftMemslot(SoftVm vm, int slot, GuestAddress guestAddress, long size, HostAddress hostAddress, Set<MemslotFlag> flags,
            MemorySegment memory) {
        super(vm, slot, guestAddress, size, hostAddress, flags);
        this.vm = vm;
        this.memory = memory;
    }

    long start() {
        return guestAddress().value();
    }

    boolean contains(long gpa, long length) {
        long off = gpa - guestAddress().value();
        return Long.compareUnsigned(off, size()) < 0 && Long.compareUnsigned(length, size() - off) <= 0;
    }

    @Override
    protected void release() {
        vm.removeMemslot(this);
    }
}
