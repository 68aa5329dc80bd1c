package org.jvmm.memory;

/**
 * A device's register handlers (QEMU's MemoryRegionOps). {@code offset} is relative to the start
 * of the region; {@code size} is one of the {@link AccessRules#implMin() implemented} sizes; values
 * are numbers in the device's own byte order, {@link AccessRules#endianness()}: the memory core
 * swaps bytes when it differs from the CPU's.
 *
 * <p>Called on the accessing thread (a vCPU or a device thread), without the memory lock; the
 * device guards its own state.
 */
public interface MmioOps {

    long read(long offset, int size);

    void write(long offset, int size, long value);

    /** The access sizes and byte order the device declares; defaults to 1-8 bytes, little-endian. */
    default AccessRules rules() {
        return AccessRules.DEFAULT;
    }
}
