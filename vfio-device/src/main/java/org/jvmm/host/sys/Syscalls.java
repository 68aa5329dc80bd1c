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
