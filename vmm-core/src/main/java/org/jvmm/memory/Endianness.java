package org.jvmm.memory;

import java.nio.ByteOrder;

/**
 * The byte order of a device's registers (QEMU's enum device_endian). {@link #NATIVE} follows the
 * machine: little-endian on x86, big-endian on pseries.
 */
public enum Endianness {
    LITTLE, BIG, NATIVE;

    /** The concrete order on a machine whose CPU uses {@code cpuOrder}. */
    public ByteOrder resolve(ByteOrder cpuOrder) {
        return switch (this) {
            case LITTLE -> ByteOrder.LITTLE_ENDIAN;
            case BIG -> ByteOrder.BIG_ENDIAN;
            case NATIVE -> cpuOrder;
        };
    }
}
