package org.jvmm.dispatch;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Exits by kind and the time spent handling them; updated by vCPU threads without locks. */
public final class ExitCounters {
    private final LongAdder[] counts = new LongAdder[ExitKind.values().length];
    private final LongAdder[] nanos = new LongAdder[ExitKind.values().length];

    public ExitCounters() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
            nanos[i] = new LongAdder();
        }
    }

    void record(ExitKind kind, long handlingNanos) {
        counts[kind.ordinal()].increment();
        nanos[kind.ordinal()].add(handlingNanos);
    }

    public long count(ExitKind kind) {
        return counts[kind.ordinal()].sum();
    }

    /** Total time spent in the VMM handling exits of {@code kind}. */
    public long handlingNanos(ExitKind kind) {
        return nanos[kind.ordinal()].sum();
    }

    public long total() {
        long t = 0;
        for (LongAdder c : counts) {
            t += c.sum();
        }
        return t;
    }

    /** The non-zero counts, in kind order. */
    public Map<ExitKind, Long> snapshot() {
        Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
        for (ExitKind k : ExitKind.values()) {
            long c = count(k);
            if (c != 0) {
                m.put(k, c);
            }
        }
        return m;
    }
}
