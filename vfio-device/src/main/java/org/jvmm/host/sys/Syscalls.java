package org.jvmm.host.sys;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.ErrnoException;

/**
 * The system calls the project makes, one method each, returning what the kernel returns: a
 * non-negative result, or {@code -errno}. {@link #check} turns a failure into an
 * {@link ErrnoException} that names the call and the offending values.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public interface Syscalls {

    /** The Foreign Function &amp; Memory implementation over the C library. */
    static Syscalls linux() {
        return LinuxSyscalls.INSTANCE;
    }

    /**
     * Links C library functions of {@link #linux()} on a daemon thread, so that a VMM that is still
     * parsing its command line does not wait for each downcall stub on first use (each costs
     * milliseconds to make). Calls made meanwhile wait for the one they need, as they would anyway.
     *
     * @param all every function; otherwise only what host memory and eventfds need (memfd_create,
     *     ftruncate, mmap, munmap, close, eventfd, read, write), which is all a machine without KVM
     *     calls: half the stubs, and a run on two cores has the CPU time for other work
     */
    static void linkLinuxInBackground(boolean all) {
        Thread.ofPlatform().name("jvmm-syscall-link").daemon().start(new LinuxSyscalls.LinkAhead(all));
    }

    /** open(2): a file descriptor or -errno. */
    int open(String path, int flags);

    /** close(2): 0 or -errno. */
    int close(int fd);

    /** ioctl(2) with a pointer argument: the ioctl's result or -errno. */
    int ioctl(int fd, long request, MemorySegment arg);

    /** ioctl(2) with an integer argument: the ioctl's result or -errno. */
    int ioctl(int fd, long request, long arg);

    /** mmap(2) at a kernel-chosen address: the mapping's address, or -errno. */
    long mmap(long length, int prot, int flags, int fd, long offset);

    /** munmap(2): 0 or -errno. */
    int munmap(long address, long length);

    /** eventfd(2): a file descriptor or -errno. */
    int eventfd(int initval, int flags);

    /** memfd_create(2): a file descriptor or -errno. */
    int memfdCreate(String name, int flags);

    /** ftruncate(2): 0 or -errno. */
    int ftruncate(int fd, long length);

    /** read(2) into all of {@code buffer}: bytes read or -errno. */
    long read(int fd, MemorySegment buffer);

    /** write(2) of all of {@code buffer}: bytes written or -errno. */
    long write(int fd, MemorySegment buffer);

    // Added for kvm-bridge's vCPU kick (issue 4): a real-time signal sent to one thread makes its
    // KVM_RUN return EINTR. Defaults answer ENOSYS so that in-process fakes need not implement them.

    /** getpid(2): this process's id (the thread group id). */
    default int getpid() {
        return -38;
    }

    /** gettid(2): the calling thread's kernel thread id. */
    default int gettid() {
        return -38;
    }

    /** tgkill(2): sends {@code signal} to thread {@code tid} of thread group {@code tgid}; 0 or -errno. */
    default int tgkill(int tgid, int tid, int signal) {
        return -38;
    }

    /**
     * sigaction(2) with the C library's {@code struct sigaction} ({@link Linux#SIGACTION_SIZE}
     * bytes; {@code act} or {@code oldact} may be {@link MemorySegment#NULL}): 0 or -errno.
     */
    default int sigaction(int signal, MemorySegment act, MemorySegment oldact) {
        return -38;
    }

    /**
     * pthread_sigmask(3) for the calling thread with the C library's {@code sigset_t}
     * ({@link Linux#SIGSET_SIZE} bytes; either may be {@link MemorySegment#NULL}): 0 or -errno.
     */
    default int pthreadSigmask(int how, MemorySegment set, MemorySegment oldset) {
        return -38;
    }

    /** The C library's SIGRTMIN (the first real-time signal it leaves to applications). */
    default int sigrtmin() {
        return -38;
    }

    /**
     * The address of a C library function that may serve as a signal handler doing nothing:
     * {@code getpid}, which ignores its arguments, has no side effect, leaves errno alone and is
     * async-signal-safe. No Java upcall runs in signal context. NULL when unavailable.
     */
    default MemorySegment noOpSignalHandler() {
        return MemorySegment.NULL;
    }

    /**
     * Returns {@code result} when it is not an error, otherwise throws an {@link ErrnoException}
     * naming {@code operation} and {@code detail}.
     */
    static long check(long result, String operation, String detail) {
        if (result < 0 && result >= -4095) {
            throw new ErrnoException(operation, (int) -result, detail);
        }
        return result;
    }

    /** {@link #check(long, String, String)} for an int result. */
    static int check(int result, String operation, String detail) {
        return (int) check((long) result, operation, detail);
    }
}
