package org.jvmm.kvm;

import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;

/**
 * What every backend's memslot shares: where it maps what, and closing once under the VM's lock.
 * A backend supplies {@link #release()}, which deletes the slot from the VM.
 */
public abstract class AbstractMemslot implements Memslot {
    private final Object vmLock;
    private final int slot;
    private final GuestAddress guestAddress;
    private final long size;
    private final HostAddress hostAddress;
    private final Set<MemslotFlag> flags;
    private boolean closed;

    protected AbstractMemslot(Object vmLock, int slot, GuestAddress guestAddress, long size, HostAddress hostAddress,
            Set<MemslotFlag> flags) {
        this.vmLock = vmLock;
        this.slot = slot;
        this.guestAddress = guestAddress;
        this.size = size;
        this.hostAddress = hostAddress;
        this.flags = Set.copyOf(flags);
    }

    @Override
    public final int slot() {
        return slot;
    }

    @Override
    public final GuestAddress guestAddress() {
        return guestAddress;
    }

    @Override
    public final long size() {
        return size;
    }

    @Override
    public final HostAddress hostAddress() {
        return hostAddress;
    }

    @Override
    public final Set<MemslotFlag> flags() {
        return flags;
    }

    /** Deletes the slot from the VM; called with the VM's lock held, once. */
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
        return "Memslot[slot=" + slot + " guest=" + guestAddress + " size=0x" + Long.toHexString(size) + " host="
                + hostAddress + (flags.isEmpty() ? "" : " " + flags) + "]";
    }
}
