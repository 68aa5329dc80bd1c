package org.jvmm.memory;

import java.util.ArrayList;
import java.util.List;

/** Small MMIO devices for the memory tests: they record every access they are given. */
final class TestRegions {
    private TestRegions() {
    }

    /** A device with fixed access rules that records accesses and answers reads from a function. */
    static final class RecordingOps implements MmioOps {
        final AccessRules rules;
        final List<String> log = new ArrayList<>();
        final java.util.function.LongBinaryOperator readValue;

        RecordingOps(AccessRules rules, java.util.function.LongBinaryOperator readValue) {
            this.rules = rules;
            this.readValue = readValue;
        }

        RecordingOps(AccessRules rules) {
            this(rules, (offset, size) -> 0);
        }

        @Override
        public AccessRules rules() {
            return rules;
        }

        @Override
        public long read(long offset, int size) {
            log.add("r" + size + "@" + offset);
            return readValue.applyAsLong(offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            log.add("w" + size + "@" + offset + "=" + Long.toHexString(value));
        }
    }

    /** A flat range rendered as "start-end name@offset" in hex, for compact assertions. */
    static List<String> describe(FlatView v) {
        List<String> out = new ArrayList<>();
        for (FlatRange r : v.ranges()) {
            out.add(Long.toHexString(r.start()) + "-" + Long.toHexString(r.end()) + " " + r.region().name() + "@"
                    + Long.toHexString(r.offsetInRegion()));
        }
        return out;
    }
}
