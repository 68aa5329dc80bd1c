package org.jvmm.memory;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.GuestAddress;

/**
 * Reads and writes at guest-physical addresses (the role of rust-vmm's GuestMemory). Single
 * accesses are 1, 2, 4 or 8 bytes and carry values as the guest's CPU sees them (memory bytes in
 * the machine's byte order); bulk accesses split at region boundaries. Nothing a guest does here
 * throws: unassigned addresses read all-ones and drop writes, and are counted.
 */
public interface GuestMemory {

    /** Loads {@code size} bytes at {@code address}, zero-extended. */
    long read(GuestAddress address, int size);

    /** Stores the low {@code size} bytes of {@code value} at {@code address}. */
    void write(GuestAddress address, int size, long value);

    /** Copies {@code dst.byteSize()} bytes from guest memory at {@code address} into {@code dst}. */
    MemTxResult read(GuestAddress address, MemorySegment dst);

    /** Copies all of {@code src} into guest memory at {@code address}. */
    MemTxResult write(GuestAddress address, MemorySegment src);
}
