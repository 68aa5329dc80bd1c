package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.HostAddress;

/**
 * A mmap of part of a device region (a BAR): accesses reach the device directly, faulted in on
 * first touch. While the device's memory decode is off (or after a reset revoked the mapping
 * until the next fault) an access is a bus error ({@link BusErrorException}), not data.
 *
 * <p>For RAM-like BARs (ivshmem's shared memory) {@link #fault} yields the backing memory so a
 * VMM can hand its host address to KVM as a memslot; {@link #addRevokeListener} tells it when
 * to take the memslot away. One owner closes it; closing twice throws. Accessors may be called
 * from any thread.
 */
public interface RegionMapping extends AutoCloseable {

    /** The region index this mapping is of. */
    int region();

    /** Offset of the mapping inside the region. */
    long regionOffset();

    long length();

    /** Reads {@code size} (1, 2, 4, 8) bytes at {@code offset} of the mapping, little-endian. */
    long read(long offset, int size);

    /** Writes {@code size} (1, 2, 4, 8) bytes at {@code offset} of the mapping, little-endian. */
    void write(long offset, int size, long value);

    /**
     * Faults the mapping in: the memory behind it, when it is RAM-like and decode is on; null for a
     * register BAR (accesses go through {@link #read}/{@link #write}). Bus error when decode is off.
     */
    MemorySegment fault();

    /** The host address of the memory behind a RAM-like mapping, after {@link #fault}; else null. */
    HostAddress hostAddress();

    /** Runs {@code listener} whenever the mapping is revoked (decode turned off, reset). */
    void addRevokeListener(Runnable listener);

    boolean isClosed();

    @Override
    void close();
}
