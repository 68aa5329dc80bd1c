package org.jvmm.host.sys;

/** Flag values from the Linux uapi headers (x86-64 and ppc64 agree on these). */
public final class Linux {
    private Linux() {
    }

    // fcntl.h
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    // mman.h
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;

    // eventfd.h
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    // memfd.h
    public static final int MFD_CLOEXEC = 0x1;

    // signal.h (glibc, x86-64): used by kvm-bridge's vCPU kick.
    /** sizeof(sigset_t) in the C library (1024 bits). */
    public static final int SIGSET_SIZE = 128;
    /** sizeof(struct sigaction) in the C library: handler, sa_mask, sa_flags (+pad), sa_restorer. */
    public static final int SIGACTION_SIZE = 152;
    /** Offset of sa_mask in struct sigaction. */
    public static final int SIGACTION_MASK_OFFSET = 8;
    /** Offset of sa_flags in struct sigaction. */
    public static final int SIGACTION_FLAGS_OFFSET = 136;
    public static final int SA_RESTART = 0x10000000;
    public static final int SIG_BLOCK = 0;
    public static final int SIG_UNBLOCK = 1;
    public static final int SIG_SETMASK = 2;

    /** The page size the project assumes for host memory (x86-64; checked at start-up). */
    public static final long PAGE_SIZE = 4096;
}
