package org.jvmm.machine.config;

/**
 * Guest RAM: {@code ramSize} bytes at guest-physical 0 (the machine's layout decides what lies
 * above). A machine takes a whole number of MiB from 1 MiB to its own limit; its builder checks
 * that with {@link #checkFor}.
 *
 * @param origin where the size came from, for messages: {@code -m 1536k} as the user gave it
 */
public record MemoryConfig(long ramSize, String origin) {
    private static final long MIB = 1L << 20;

    public MemoryConfig {
        if (origin == null) {
            throw new IllegalArgumentException("memory config " + Long.toUnsignedString(ramSize) + ": origin is null");
        }
    }

    /** A size given by code: messages name it as {@code -m} would show it, in bytes. */
    public static MemoryConfig of(long ramSize) {
        return new MemoryConfig(ramSize, "-m " + Long.toUnsignedString(ramSize) + "B");
    }

    /**
     * Checks the size for {@code machine}: a whole number of MiB, from 1 MiB to {@code max}
     * (compared unsigned).
     *
     * @return this record
     * @throws IllegalArgumentException naming the origin, the machine and its range, e.g.
     *     {@code -m 1536k: x86-toy takes a whole number of MiB from 1M to 987G}
     */
    public MemoryConfig checkFor(MachineType machine, long max) {
        if (ramSize == 0 || ramSize % MIB != 0 || Long.compareUnsigned(ramSize, max) > 0) {
            throw new IllegalArgumentException(origin + ": " + machine + " takes a whole number of MiB from 1M to "
                    + (max >>> 30) + "G");
        }
        return this;
    }
}
