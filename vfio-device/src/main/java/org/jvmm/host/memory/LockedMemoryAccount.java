package org.jvmm.host.memory;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;

/**
 * The process's locked memory ({@code mm->locked_vm}) against RLIMIT_MEMLOCK. Pinning for DMA
 * charges it; a charge past the limit fails with ENOMEM unless the process is privileged
 * (CAP_IPC_LOCK), in which case it is counted but not limited (vfio_iommu_type1.c
 * vfio_pin_pages_remote / vfio_lock_acct). Shared by every container of the process.
 *
 * <p>Thread-safe.
 */
public final class LockedMemoryAccount {
    private volatile long limitBytes;
    private volatile boolean privileged;
    private long lockedBytes;

    public LockedMemoryAccount(long limitBytes, boolean privileged) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("RLIMIT_MEMLOCK " + limitBytes + " is negative");
        }
        this.limitBytes = limitBytes;
        this.privileged = privileged;
    }

    /** Charges {@code bytes}; ENOMEM (naming {@code operation}) when over the limit and unprivileged. */
    public synchronized void charge(String operation, long bytes) {
        if (!privileged && lockedBytes + bytes > limitBytes) {
            throw new ErrnoException(operation, Errno.ENOMEM, "locked memory 0x" + Long.toHexString(lockedBytes)
                    + " + 0x" + Long.toHexString(bytes) + " exceeds RLIMIT_MEMLOCK 0x" + Long.toHexString(limitBytes));
        }
        lockedBytes += bytes;
    }

    public synchronized void uncharge(long bytes) {
        if (bytes > lockedBytes) {
            throw new IllegalStateException("locked memory underflow: 0x" + Long.toHexString(lockedBytes) + " - 0x"
                    + Long.toHexString(bytes));
        }
        lockedBytes -= bytes;
    }

    public synchronized long lockedBytes() {
        return lockedBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }

    public void setLimitBytes(long limit) {
        this.limitBytes = limit;
    }

    public boolean privileged() {
        return privileged;
    }

    public void setPrivileged(boolean privileged) {
        this.privileged = privileged;
    }
}
