package org.jvmm.host;

/**
 * The Linux errno values the project's kernel interfaces return (asm-generic/errno-base.h and
 * errno.h on x86-64 and ppc64). Only the ones used are listed; {@link #of(int)} maps any other
 * number to {@link #UNKNOWN} while keeping the number in the exception that carries it.
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), ENOEXEC(8), EBADF(9),
    EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), ENODEV(19),
    EINVAL(22), EMFILE(24), ENOTTY(25), EFBIG(27), ENOSPC(28), ESPIPE(29), ERANGE(34), ENOSYS(38),
    EOVERFLOW(75), EUSERS(87), EMSGSIZE(90), EOPNOTSUPP(95), EADDRINUSE(98), UNKNOWN(-1);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The positive errno number, as the kernel returns it negated. */
    public int number() {
        return number;
    }

    public static Errno of(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e;
            }
        }
        return UNKNOWN;
    }
}
