package org.jvmm.kvm;

import java.util.OptionalLong;
import org.jvmm.host.sys.EventFd;

/**
 * A guest write wired to an eventfd in the kernel (KVM_IOEVENTFD). Closing deassigns it; the
 * eventfd stays the caller's to close, after this. Closing twice throws. Any thread.
 */
public interface IoEventFd extends AutoCloseable {
    EventFd eventFd();

    IoEventAddress address();

    int length();

    OptionalLong datamatch();

    @Override
    void close();
}
