package org.jvmm.host.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@link Syscalls} over the C library through the Foreign Function &amp; Memory API.
 *
 * <p>errno is captured with {@code Linker.Option.captureCallState("errno")} into a per-thread
 * segment, so calls from vCPU threads and device threads do not share it. Variadic functions
 * (open, ioctl) are linked with {@code firstVariadicArg}, as the ABI requires.
 */
final class LinuxSyscalls implements Syscalls {
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    private final MethodHandle open;
    private final MethodHandle close;
    private final MethodHandle ioctlPtr;
    private final MethodHandle ioctlLong;
    private final MethodHandle mmap;
    private final MethodHandle munmap;
    private final MethodHandle eventfd;
    private final MethodHandle memfdCreate;
    private final MethodHandle ftruncate;
    private final MethodHandle read;
    private final MethodHandle write;
    private final MethodHandle getpid;
    private final MethodHandle gettid;
    private final MethodHandle tgkill;
    private final MethodHandle sigaction;
    private final MethodHandle pthreadSigmask;
    private final MethodHandle sigrtmin;
    private final MemorySegment getpidSymbol;

    private static final ThreadLocal<MemorySegment> CAPTURE_SEGMENT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    static final LinuxSyscalls INSTANCE = new LinuxSyscalls();

    private LinuxSyscalls() {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        open = link(linker, libc, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                errno, Linker.Option.firstVariadicArg(2));
        close = link(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
        ioctlPtr = link(linker, libc, "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                errno, Linker.Option.firstVariadicArg(2));
        ioctlLong = link(linker, libc, "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
                errno, Linker.Option.firstVariadicArg(2));
        mmap = link(linker, libc, "mmap",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), errno);
        munmap = link(linker, libc, "munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
        eventfd = link(linker, libc, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        memfdCreate = link(linker, libc, "memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), errno);
        ftruncate = link(linker, libc, "ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), errno);
        read = link(linker, libc, "read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), errno);
        write = link(linker, libc, "write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), errno);
        getpid = link(linker, libc, "getpid", FunctionDescriptor.of(JAVA_INT));
        gettid = link(linker, libc, "gettid", FunctionDescriptor.of(JAVA_INT));
        tgkill = link(linker, libc, "tgkill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
        sigaction = link(linker, libc, "sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
        // pthread_sigmask returns the error number itself and leaves errno alone.
        pthreadSigmask = link(linker, libc, "pthread_sigmask", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        sigrtmin = link(linker, libc, "__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
        getpidSymbol = libc.find("getpid").orElseThrow();
    }

    private static MethodHandle link(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd,
            Linker.Option... options) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library has no " + name));
        return linker.downcallHandle(symbol, fd, options);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static int intResult(int r, MemorySegment capture) {
        return r == -1 ? -errno(capture) : r;
    }

    private static long longResult(long r, MemorySegment capture) {
        return r == -1 ? -errno(capture) : r;
    }

    @Override
    public int open(String path, int flags) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try (Arena arena = Arena.ofConfined()) {
            return intResult((int) open.invokeExact(cap, arena.allocateFrom(path), flags, 0), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int close(int fd) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) close.invokeExact(cap, fd), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) ioctlPtr.invokeExact(cap, fd, request, arg), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ioctl(int fd, long request, long arg) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) ioctlLong.invokeExact(cap, fd, request, arg), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return longResult((long) mmap.invokeExact(cap, 0L, length, prot, flags, fd, offset), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int munmap(long address, long length) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) munmap.invokeExact(cap, address, length), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int eventfd(int initval, int flags) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) eventfd.invokeExact(cap, initval, flags), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int memfdCreate(String name, int flags) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try (Arena arena = Arena.ofConfined()) {
            return intResult((int) memfdCreate.invokeExact(cap, arena.allocateFrom(name), flags), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ftruncate(int fd, long length) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) ftruncate.invokeExact(cap, fd, length), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long read(int fd, MemorySegment buffer) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return longResult((long) read.invokeExact(cap, fd, buffer, buffer.byteSize()), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long write(int fd, MemorySegment buffer) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return longResult((long) write.invokeExact(cap, fd, buffer, buffer.byteSize()), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int getpid() {
        try {
            return (int) getpid.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int gettid() {
        try {
            return (int) gettid.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int tgkill(int tgid, int tid, int signal) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) tgkill.invokeExact(cap, tgid, tid, signal), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int sigaction(int signal, MemorySegment act, MemorySegment oldact) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) sigaction.invokeExact(cap, signal, act, oldact), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int pthreadSigmask(int how, MemorySegment set, MemorySegment oldset) {
        try {
            return -(int) pthreadSigmask.invokeExact(how, set, oldset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int sigrtmin() {
        try {
            return (int) sigrtmin.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemorySegment noOpSignalHandler() {
        return getpidSymbol;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }

}
