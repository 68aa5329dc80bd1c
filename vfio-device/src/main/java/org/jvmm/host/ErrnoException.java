package org.jvmm.host;

/**
 * A kernel interface call that failed with an errno: names the operation, the errno and the
 * values that were offered, e.g. {@code VFIO_IOMMU_MAP_DMA failed: EEXIST (iova=0x1000,
 * size=0x2000): overlaps mapping [0x0, 0x2000)}.
 *
 * <p>Thrown by the real syscall seam (the number comes from the C library's errno) and by the
 * in-process models of VFIO and KVM (the number is the one the kernel would return). A failed
 * operation leaves the object it was called on as it was.
 */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    public ErrnoException(String operation, Errno errno, String detail) {
        this(operation, errno.number(), detail);
    }

    public ErrnoException(String operation, int errno, String detail) {
        super(operation + " failed: " + name(errno) + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.operation = operation;
        this.errno = errno;
    }

    private static String name(int errno) {
        Errno e = Errno.of(errno);
        return e == Errno.UNKNOWN ? "errno " + errno : e.name();
    }

    /** The ioctl or system call that failed, e.g. {@code VFIO_IOMMU_MAP_DMA}. */
    public String operation() {
        return operation;
    }

    /** The positive errno number. */
    public int errnoNumber() {
        return errno;
    }

    public Errno errno() {
        return Errno.of(errno);
    }
}
