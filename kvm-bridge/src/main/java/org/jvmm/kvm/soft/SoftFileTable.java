package org.jvmm.kvm.soft;

import java.util.HashMap;
import java.util.Map;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;

/**
 * The VMM process's file descriptor table as the soft accelerator sees it: in-process objects
 * (a VFIO group, a KVM TCE table ...) under small integer numbers, so the KVM device attributes
 * keep their real form ({@code int32} fds inside the structures). Numbers start at 1000 so they
 * cannot be mistaken for real descriptors of the process.
 *
 * <p>Thread-safe.
 */
public final class SoftFileTable {
    private final Map<Integer, Object> files = new HashMap<>();
    private int next = 1000;

    /** Installs {@code file} and returns its new descriptor. */
    public synchronized int install(Object file) {
        if (file == null) {
            throw new IllegalArgumentException("soft fd table: cannot install null");
        }
        int fd = next++;
        files.put(fd, file);
        return fd;
    }

    /** The object behind {@code fd}; EBADF naming {@code operation} when none. */
    public synchronized Object get(String operation, int fd) {
        Object f = files.get(fd);
        if (f == null) {
            throw new ErrnoException(operation, Errno.EBADF, "fd " + fd + " is not open");
        }
        return f;
    }

    /** close(fd); closing an fd that is not open throws. */
    public synchronized void close(int fd) {
        if (files.remove(fd) == null) {
            throw new IllegalStateException("soft fd " + fd + " closed twice (or never opened)");
        }
    }

    public synchronized int openCount() {
        return files.size();
    }
}
