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

    /** The page size the project assumes for host memory (x86-64; checked at start-up). */
    public static final long PAGE_SIZE = 4096;
}
