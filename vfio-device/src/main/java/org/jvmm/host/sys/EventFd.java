package org.jvmm.host.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.Errno;

/**
 * A Linux eventfd (non-blocking, close-on-exec): the counter KVM irqfd/ioeventfd and VFIO
 * SET_IRQS take as their file descriptor.
 *
 * <p>One owner closes it; closing twice is a bug and throws. {@link #signal()} and
 * {@link #testAndClear()} may be called from any thread.
 */
public final class EventFd implements AutoCloseable {
    private static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_LONG, 1L);

    private final Syscalls sys;
    private final int fd;
    private volatile boolean closed;

    private EventFd(Syscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    /** eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC). */
    public static EventFd create(Syscalls sys) {
        int fd = Syscalls.check(sys.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd", "initval=0");
        return new EventFd(sys, fd);
    }

    public static EventFd create() {
        return create(Syscalls.linux());
    }

    /** The file descriptor, for KVM_IRQFD, KVM_IOEVENTFD or VFIO_DEVICE_SET_IRQS. */
    public int fd() {
        ensureOpen("fd");
        return fd;
    }

    /** Adds one to the counter (a write of the 8-byte value 1). */
    public void signal() {
        ensureOpen("signal");
        Syscalls.check(sys.write(fd, ONE), "eventfd write", "fd=" + fd);
    }

    /**
     * Reads and clears the counter: true if it was non-zero. Never blocks.
     */
    public boolean testAndClear() {
        return readCount() != 0;
    }

    /** Reads and clears the counter, returning its value (0 when it was not signalled). */
    public long readCount() {
        ensureOpen("read");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ValueLayout.JAVA_LONG);
            long r = sys.read(fd, buf);
            if (r == -Errno.EAGAIN.number()) {
                return 0;
            }
            Syscalls.check(r, "eventfd read", "fd=" + fd);
            return buf.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new IllegalStateException("eventfd " + op + ": fd " + fd + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("eventfd fd " + fd + " closed twice");
        }
        closed = true;
        Syscalls.check(sys.close(fd), "close", "eventfd fd=" + fd);
    }

    @Override
    public String toString() {
        return "EventFd[fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
