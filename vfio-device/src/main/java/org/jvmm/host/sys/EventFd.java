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

    private static final Runnable[] NO_WAKEUPS = new Runnable[0];

    private final Syscalls sys;
    private final int fd;
    private volatile boolean closed;
    private volatile Runnable[] wakeups = NO_WAKEUPS;

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

    /** Takes ownership of an eventfd descriptor received from another process (vfio-user SET_IRQS). */
    public static EventFd adopt(int fd) {
        return new EventFd(Syscalls.linux(), fd);
    }

    /** The file descriptor, for KVM_IRQFD, KVM_IOEVENTFD or VFIO_DEVICE_SET_IRQS. */
    public int fd() {
        ensureOpen("fd");
        return fd;
    }

    /**
     * Adds one to the counter (a write of the 8-byte value 1), then runs the in-process wakeups,
     * as eventfd_signal wakes the eventfd's wait queue (where KVM's irqfd_wakeup sits).
     */
    public void signal() {
        ensureOpen("signal");
        Syscalls.check(sys.write(fd, ONE), "eventfd write", "fd=" + fd);
        for (Runnable w : wakeups) {
            w.run();
        }
    }

    /**
     * Adds a wait-queue callback that {@link #signal()} runs on the signalling thread after the
     * count was added (an in-process consumer such as a soft accelerator's irqfd). It must not
     * block. Any thread.
     */
    public synchronized void addWakeup(Runnable wakeup) {
        Runnable[] next = java.util.Arrays.copyOf(wakeups, wakeups.length + 1);
        next[wakeups.length] = java.util.Objects.requireNonNull(wakeup, "wakeup");
        wakeups = next;
    }

    /** Removes a callback {@link #addWakeup} added; nothing if it is not there. Any thread. */
    public synchronized void removeWakeup(Runnable wakeup) {
        java.util.List<Runnable> next = new java.util.ArrayList<>(java.util.List.of(wakeups));
        next.remove(wakeup);
        wakeups = next.toArray(NO_WAKEUPS);
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
