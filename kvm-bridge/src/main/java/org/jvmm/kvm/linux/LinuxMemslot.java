package org.jvmm.kvm.linux;

import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MemslotFlag;

/** A memslot of a {@link LinuxVm}; closing deletes the slot. Any thread; state guarded by the VM. */
final class LinuxMemslot implements Memslot {
    private final LinuxVm vm;
    private final int slot;
    private final GuestAddress guestAddress;
    private final long size;
    private final HostAddress hostAddress;
    private final Set<MemslotFlag> flags;
    private boolean closed;

    LinuxMemslot(LinuxVm vm, int slot, GuestAddress guestAddress, long size, HostAddress hostAddress,
            Set<MemslotFlag> flags) {
        this.vm = vm;
        this.slot = slot;
        this.guestAddress = guestAddress;
        this.size = size;
        this.hostAddress = hostAddress;
        this.flags = flags;
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
        synchronized (vm) {
            if (closed) {
                throw new IllegalStateException(this + " closed twice");
            }
            vm.deleteMemslot(this);
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "Memslot[slot=" + slot + " guest=" + guestAddress + " size=0x" + Long.toHexString(size) + " host="
                + hostAddress + (flags.isEmpty() ? "" : " " + flags) + "]";
    }
}
