package org.jvmm.kvm;

import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;

/**
 * One memslot: guest-physical [guestAddress, guestAddress + size) backed by host memory at
 * {@code hostAddress}. Closing deletes the slot (KVM_SET_USER_MEMORY_REGION with size 0);
 * closing twice throws. Any thread.
 */
public interface Memslot extends AutoCloseable {
    int slot();

    GuestAddress guestAddress();

    long size();

    HostAddress hostAddress();

    Set<MemslotFlag> flags();

    @Override
    void close();
}
