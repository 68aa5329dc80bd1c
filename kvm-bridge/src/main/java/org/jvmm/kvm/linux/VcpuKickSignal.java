package org.jvmm.kvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.Syscalls;

/**
 * The real-time signal that pulls a vCPU thread out of KVM_RUN (as QEMU's SIG_IPI does).
 *
 * <p>How it works with Java threads: KVM_RUN returns EINTR when a signal is pending for the
 * thread, but only a signal that has a handler (ignored signals are discarded; the default
 * action of a real-time signal kills the process). The handler must not be Java code: an FFM
 * upcall in signal context could run while the thread holds locks of the C library or the JVM.
 * So the handler is a C library function that does nothing harmful: {@code getpid} (ignores its
 * argument, no side effect, errno untouched, async-signal-safe), given by
 * {@link Syscalls#noOpSignalHandler()}. It is installed once per process with sigaction (flags
 * SA_RESTART, so other system calls of the thread are restarted; KVM_RUN still returns EINTR,
 * since the kernel never restarts it), and each vCPU thread unblocks the signal for itself.
 * The sender uses tgkill(pid, tid) with the vCPU thread's kernel tid.
 *
 * <p>The signal is SIGRTMIN + {@link #OFFSET} (the C library's SIGRTMIN, 34 with glibc); the JVM
 * uses no real-time signal. Installation refuses to replace a handler somebody else installed.
 *
 * <p>Thread-safe; installation is serialized on the class.
 */
final class VcpuKickSignal {
    static final int OFFSET = 6;
    private static volatile int installed;

    private VcpuKickSignal() {
    }

    /** Installs the handler once for the process; returns the signal number. */
    static int ensureInstalled(Syscalls sys) {
        int sig = installed;
        if (sig != 0) {
            return sig;
        }
        synchronized (VcpuKickSignal.class) {
            if (installed != 0) {
                return installed;
            }
            sig = install(sys);
            installed = sig;
            return sig;
        }
    }

    /** Installs the no-op handler for SIGRTMIN + OFFSET (no caching); returns the signal number. */
    static int install(Syscalls sys) {
        int sig = Syscalls.check(sys.sigrtmin(), "__libc_current_sigrtmin", "") + OFFSET;
        MemorySegment handler = sys.noOpSignalHandler();
        if (handler.address() == 0) {
            throw new IllegalStateException("vCPU kick signal " + sig + ": the syscall seam offers no no-op handler");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(Linux.SIGACTION_SIZE, 8);
            Syscalls.check(sys.sigaction(sig, MemorySegment.NULL, old), "sigaction", "query signal " + sig);
            long current = old.get(ValueLayout.JAVA_LONG, 0);
            if (current != 0 && current != handler.address()) {
                throw new IllegalStateException("vCPU kick signal " + sig + " (SIGRTMIN+" + OFFSET
                        + ") already has a handler at 0x" + Long.toHexString(current)
                        + " installed by someone else; refusing to replace it");
            }
            MemorySegment act = arena.allocate(Linux.SIGACTION_SIZE, 8);
            act.set(ValueLayout.JAVA_LONG, 0, handler.address());
            act.set(ValueLayout.JAVA_INT, Linux.SIGACTION_FLAGS_OFFSET, Linux.SA_RESTART);
            Syscalls.check(sys.sigaction(sig, act, MemorySegment.NULL), "sigaction", "install signal " + sig);
        }
        return sig;
    }

    /** Unblocks {@code sig} for the calling thread (a thread may inherit a mask that blocks it). */
    static void unblockForCurrentThread(Syscalls sys, int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(Linux.SIGSET_SIZE, 8);
            int bit = sig - 1;
            set.set(ValueLayout.JAVA_LONG, (bit / 64) * 8L, 1L << (bit % 64));
            Syscalls.check(sys.pthreadSigmask(Linux.SIG_UNBLOCK, set, MemorySegment.NULL), "pthread_sigmask",
                    "SIG_UNBLOCK signal " + sig);
        }
    }

    /** The installed signal, or 0 before the first vCPU ran. */
    static int installedSignal() {
        return installed;
    }
}
