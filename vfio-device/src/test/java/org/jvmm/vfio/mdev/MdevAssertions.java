package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.junit.jupiter.api.function.Executable;

final class MdevAssertions {
    private MdevAssertions() {
    }

    /** Asserts that {@code call} fails with {@code errno} in an exception naming {@code operation}. */
    static ErrnoException assertErrno(Errno errno, String operation, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(operation, e.operation(), e.getMessage());
        return e;
    }
}
