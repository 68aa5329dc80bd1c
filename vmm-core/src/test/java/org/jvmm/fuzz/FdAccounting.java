package org.jvmm.fuzz;

import org.jvmm.host.sys.ProcessFds;

/**
 * After a case closed its machine, the process holds exactly the file descriptors it held before
 * (memfds, eventfds, irqfds, VFIO files): whatever the guest did, closing gives everything back.
 */
final class FdAccounting {
    private FdAccounting() {
    }

    static void check(long before, String what) {
        long after = ProcessFds.count();
        if (after != before) {
            throw new AssertionError("closing " + what + " left " + (after - before) + " file descriptor(s) open (" + before
                    + " before the case, " + after + " after)");
        }
    }
}
