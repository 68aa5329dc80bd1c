package org.jvmm.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("IovaSpans: containing/anyOverlap/firstOverlap answer as a linear scan does, with unsigned bounds up to 2^64")
class IovaSpansOverlapQueriesMatchALinearScan {

    static final class S extends IovaSpans.Span {
        S(long iova, long length) {
            super(iova, length);
        }
    }

    private static final long TOP_BIT = Long.MIN_VALUE;
    private static final long ULONG_MAX = -1L;

    @Test
    @DisplayName("spans at 0x1000, at 2^63 and one ending at 2^64 - 1: every query is ordered unsigned")
    void spansAcrossTheTopBitAndAtTheTopOfTheSpace() {
        IovaSpans<S> spans = new IovaSpans<>();
        S low = new S(0x1000, 0x1000);
        S mid = new S(TOP_BIT, 0x1000);
        S top = new S(-0x1000L, 0x1000); // [0xffff_ffff_ffff_f000, ULONG_MAX]
        spans.add(top);
        spans.add(low);
        spans.add(mid);

        assertEquals(ULONG_MAX, top.last());
        assertSame(top, spans.containing(ULONG_MAX));
        assertSame(mid, spans.containing(TOP_BIT + 0x800));
        assertNull(spans.containing(TOP_BIT - 1));
        assertNull(spans.containing(0x2000));
        assertNull(spans.containing(0));

        assertSame(top, spans.anyOverlap(0, ULONG_MAX), "the span starting last at or before last");
        assertSame(low, spans.anyOverlap(0x1fff, 0x1fff));
        assertNull(spans.anyOverlap(0x2000, TOP_BIT - 1));
        assertNull(spans.anyOverlap(TOP_BIT + 0x1000, -0x1001L));

        assertSame(low, spans.firstOverlap(0, ULONG_MAX));
        assertSame(mid, spans.firstOverlap(0x2000, ULONG_MAX));
        assertSame(mid, spans.firstOverlap(TOP_BIT + 1, TOP_BIT + 1));
        assertSame(top, spans.firstOverlap(TOP_BIT + 0x1000, ULONG_MAX));
        assertNull(spans.firstOverlap(0x2000, TOP_BIT - 1));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void randomSpansAndQueriesAgreeWithALinearScan(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        IovaSpans<S> spans = new IovaSpans<>();
        List<S> all = new ArrayList<>();
        // non-overlapping spans: a random walk of gaps and lengths from a random start, upper half too
        long at = r.nextBoolean() ? 0 : TOP_BIT - ((long) r.nextInt(1 << 20) << 12);
        for (int i = 0; i < 600; i++) {
            at += (long) r.nextInt(4) << 12;
            long len = (1L + r.nextInt(8)) << 12;
            S s = new S(at, len);
            spans.add(s);
            all.add(s);
            at += len;
        }
        for (int q = 0; q < 20_000; q++) {
            S pick = all.get(r.nextInt(all.size()));
            long first = pick.iova + r.nextLong(-0x4000, 0x4000);
            long last = first + r.nextLong(0, 0x10000);
            if (Long.compareUnsigned(last, first) < 0) {
                last = ULONG_MAX;
            }
            assertSame(scanContaining(all, first), spans.containing(first), "containing " + Long.toHexString(first));
            S lowest = null;
            S highest = null;
            for (S s : all) {
                if (Long.compareUnsigned(s.iova, last) <= 0 && Long.compareUnsigned(s.last(), first) >= 0) {
                    lowest = lowest == null ? s : lowest;
                    highest = s;
                }
            }
            String range = "[" + Long.toHexString(first) + ", " + Long.toHexString(last) + "]";
            assertSame(lowest, spans.firstOverlap(first, last), "firstOverlap " + range);
            assertSame(highest, spans.anyOverlap(first, last), "anyOverlap " + range);
        }
    }

    private static S scanContaining(List<S> all, long a) {
        for (S s : all) {
            if (s.contains(a)) {
                return s;
            }
        }
        return null;
    }
}
