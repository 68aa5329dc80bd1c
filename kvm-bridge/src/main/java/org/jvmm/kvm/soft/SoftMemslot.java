package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MemslotFlag;

/** A memslot of a {@link SoftVm}: guest-physical memory backed by a registered host mapping. */
final class SoftMemslot implements Memslot {
    private final SoftVm vm;
    private final int slot;
    private final GuestAddress guestAddress;
    private final long size;
    private final HostAddress hostAddress;
    private final Set<MemslotFlag> flags;
    final MemorySegment memory;
    private boolean closed;

    SoftMemslot(SoftVm vm, int slot, GuestAddress guestAddress, long size, HostAddress hostAddress, Set<MemslotFlag> flags,
            MemorySegment memory) {
        this.vm = vm;
        this.slot = slot;
        this.guestAddress = guestAddress;
        this.size = size;
        this.hostAddress = hostAddress;
        this.flags = Set.copyOf(flags);
        this.memory = memory;
    }

    long start() {
        return guestAddress.value();
    }

    boolean contains(long gpa, long length) {
        long off = gpa - guestAddress.value();
        return Long.compareUnsigned(off, size) < 0 && Long.compareUnsigned(length, size - off) <= 0;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public GuestAddress guestAddress() {
        return guestAddress;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public HostAddress hostAddress() {
        return hostAddress;
    }

    @Override
    public Set<MemslotFlag> flags() {
        return flags;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("memslot " + slot + " closed twice");
            }
            closed = true;
        }
        vm.removeMemslot(this);
    }
}
