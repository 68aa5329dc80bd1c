package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.junit.jupiter.api.function.Executable;

final class Type1Assertions {
    private Type1Assertions() {
    }

    /** Asserts that {@code call} fails with {@code errno} in an exception naming {@code operation}. */
    static ErrnoException assertErrno(Errno errno, String operation, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(operation, e.operation());
        assertTrue(e.getMessage().startsWith(operation + " failed: " + errno.name()), e.getMessage());
        return e;
    }
}
