package org.jvmm.memory;

import java.util.concurrent.atomic.LongAdder;

/**
 * What an {@link AddressSpace}'s dispatch saw, by kind. Updated from any accessing thread without
 * locks; {@link #snapshot()} reads a consistent-enough copy for reports.
 */
public final class DispatchCounters {
    final LongAdder mmioReads = new LongAdder();
    final LongAdder mmioWrites = new LongAdder();
    final LongAdder unassignedReads = new LongAdder();
    final LongAdder unassignedWrites = new LongAdder();
    final LongAdder invalidAccesses = new LongAdder();
    final LongAdder romWritesDropped = new LongAdder();
    final LongAdder iommuFaults = new LongAdder();

    /** The counts at one moment. */
    public record Snapshot(long mmioReads, long mmioWrites, long unassignedReads, long unassignedWrites,
            long invalidAccesses, long romWritesDropped, long iommuFaults) {
    }

    public Snapshot snapshot() {
        return new Snapshot(mmioReads.sum(), mmioWrites.sum(), unassignedReads.sum(), unassignedWrites.sum(),
                invalidAccesses.sum(), romWritesDropped.sum(), iommuFaults.sum());
    }
}
