package org.jvmm.fuzz;

import java.util.Map;
import org.jvmm.host.sys.ProcessFds;

/**
 * After a case closed its machine, every file descriptor open now was open before the case, to the
 * same file (memfds, eventfds, irqfds, VFIO files): whatever the guest did, closing gives everything
 * back. Descriptors closed meanwhile by other threads of the test JVM are not the case's doing and
 * are not counted against it.
 */
final class FdAccounting {
    private FdAccounting() {
    }

    static void check(Map<Integer, String> before, String what) {
        Map<Integer, String> left = ProcessFds.openedSince(before);
        if (!left.isEmpty()) {
            throw new AssertionError("closing " + what + " left " + left.size() + " file descriptor(s) open: " + left);
        }
    }
}
