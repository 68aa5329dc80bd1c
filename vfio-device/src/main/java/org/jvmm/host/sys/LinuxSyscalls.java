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


    private static final ThreadLocal<MemorySegment> CAPTURE_SEGMENT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    static final LinuxSyscalls INSTANCE = new LinuxSyscalls();

    private LinuxSyscalls() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    // One holder class per function: each is linked on its first call (a downcall handle costs
    // milliseconds to make, and a run uses only some), and a static final handle is a constant
    // to the JIT compiler.
    private static final class Open {
        static final MethodHandle H = link("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    }

    private static final class Close {
        static final MethodHandle H = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    }

    private static final class IoctlPtr {
        static final MethodHandle H = link("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    }

    private static final class IoctlLong {
        static final MethodHandle H = link("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
                ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    }

    private static final class Mmap {
        static final MethodHandle H = link("mmap",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPTION);
    }

    private static final class Munmap {
        static final MethodHandle H = link("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPTION);
    }

    private static final class Eventfd {
        static final MethodHandle H = link("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    }

    private static final class MemfdCreate {
        static final MethodHandle H = link("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    }

    private static final class Ftruncate {
        static final MethodHandle H = link("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPTION);
    }

    private static final class Read {
        static final MethodHandle H = link("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    }

    private static final class Write {
        static final MethodHandle H = link("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    }

    private static final class Getpid {
        static final MethodHandle H = link("getpid", FunctionDescriptor.of(JAVA_INT));
    }

    private static final class Gettid {
        static final MethodHandle H = link("gettid", FunctionDescriptor.of(JAVA_INT));
    }

    private static final class Tgkill {
        static final MethodHandle H = link("tgkill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    }

    private static final class Sigaction {
        static final MethodHandle H = link("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPTION);
    }

    // pthread_sigmask returns the error number itself and leaves errno alone.
    private static final class PthreadSigmask {
        static final MethodHandle H = link("pthread_sigmask", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class Sigrtmin {
        static final MethodHandle H = link("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    }

    private static final class GetpidSymbol {
        static final MemorySegment SYMBOL = LIBC.find("getpid").orElseThrow();
    }

    /**
     * Links now what host memory and eventfds need: memfd_create, ftruncate, mmap, munmap, close,
     * eventfd, read and write (see {@link Syscalls#linkLinuxInBackground}).
     */
    static void linkMemoryAndEventfds() {
        MethodHandle[] some = {MemfdCreate.H, Ftruncate.H, Mmap.H, Munmap.H, Close.H, Eventfd.H, Read.H, Write.H};
        if (some.length == 0) {
            throw new AssertionError(); // never: keeps the reads
        }
    }

    /**
     * The run of {@link Syscalls#linkLinuxInBackground}: a class, not a method reference, whose
     * bootstrap would cost a start-up the milliseconds the thread is there to save.
     */
    record LinkAhead(boolean all) implements Runnable {
        @Override
        public void run() {
            if (all) {
                linkAll();
            } else {
                linkMemoryAndEventfds();
            }
        }
    }

    /** Links every function now (see {@link Syscalls#linkLinuxInBackground}). */
    static void linkAll() {
        linkMemoryAndEventfds();
        MethodHandle[] rest = {Open.H, IoctlPtr.H, IoctlLong.H, Getpid.H, Gettid.H, Tgkill.H, Sigaction.H, PthreadSigmask.H,
            Sigrtmin.H};
        if (rest.length == 0 || GetpidSymbol.SYMBOL == null) {
            throw new AssertionError(); // never: keeps the reads
        }
    }

    private static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
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
            return intResult((int) Open.H.invokeExact(cap, arena.allocateFrom(path), flags, 0), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int close(int fd) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) Close.H.invokeExact(cap, fd), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) IoctlPtr.H.invokeExact(cap, fd, request, arg), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ioctl(int fd, long request, long arg) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) IoctlLong.H.invokeExact(cap, fd, request, arg), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return longResult((long) Mmap.H.invokeExact(cap, 0L, length, prot, flags, fd, offset), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int munmap(long address, long length) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) Munmap.H.invokeExact(cap, address, length), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int eventfd(int initval, int flags) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) Eventfd.H.invokeExact(cap, initval, flags), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int memfdCreate(String name, int flags) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try (Arena arena = Arena.ofConfined()) {
            return intResult((int) MemfdCreate.H.invokeExact(cap, arena.allocateFrom(name), flags), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ftruncate(int fd, long length) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) Ftruncate.H.invokeExact(cap, fd, length), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long read(int fd, MemorySegment buffer) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return longResult((long) Read.H.invokeExact(cap, fd, buffer, buffer.byteSize()), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long write(int fd, MemorySegment buffer) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return longResult((long) Write.H.invokeExact(cap, fd, buffer, buffer.byteSize()), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int getpid() {
        try {
            return (int) Getpid.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int gettid() {
        try {
            return (int) Gettid.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int tgkill(int tgid, int tid, int signal) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) Tgkill.H.invokeExact(cap, tgid, tid, signal), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int sigaction(int signal, MemorySegment act, MemorySegment oldact) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        try {
            return intResult((int) Sigaction.H.invokeExact(cap, signal, act, oldact), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int pthreadSigmask(int how, MemorySegment set, MemorySegment oldset) {
        try {
            return -(int) PthreadSigmask.H.invokeExact(how, set, oldset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int sigrtmin() {
        try {
            return (int) Sigrtmin.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemorySegment noOpSignalHandler() {
        return GetpidSymbol.SYMBOL;
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
