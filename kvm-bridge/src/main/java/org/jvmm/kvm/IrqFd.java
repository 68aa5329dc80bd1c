package org.jvmm.kvm;

import org.jvmm.host.sys.EventFd;

/**
 * An eventfd wired to a GSI in the kernel (KVM_IRQFD). Closing deassigns it; the eventfds stay
 * the caller's to close, after this. Closing twice throws. Any thread.
 */
public interface IrqFd extends AutoCloseable {
    EventFd eventFd();

    Gsi gsi();

    /** The resample eventfd of a level-triggered irqfd, or null. */
    EventFd resample();

    @Override
    void close();
}
