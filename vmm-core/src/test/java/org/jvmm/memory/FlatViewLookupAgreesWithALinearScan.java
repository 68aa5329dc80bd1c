package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FlatView's binary search (lookup, nextStart) answers as a linear scan of its ranges would, for
 * 0 to 1,000 ranges and addresses in ranges, in holes, before the first, after the last and at
 * the top of the 64-bit space (unsigned: above every range, never below).
 */
class FlatViewLookupAgreesWithALinearScan {
    private static final MmioOps OPS = new MmioOps() {
        @Override
        public long read(long offset, int size) {
            return 0;
        }

        @Override
        public void write(long offset, int size, long value) {
        }
    };

    private static FlatRange scan(List<FlatRange> ranges, long address) {
        for (FlatRange r : ranges) {
            if (Long.compareUnsigned(address - r.start(), r.size()) < 0) {
                return r;
            }
        }
        return null;
    }

    private static long nextStartByScan(List<FlatRange> ranges, long address) {
        for (FlatRange r : ranges) {
            if (Long.compareUnsigned(r.start(), address) > 0) {
                return r.start();
            }
        }
        return FlatView.NONE;
    }

    @ParameterizedTest(name = "{0} ranges")
    @ValueSource(ints = {0, 1, 2, 3, 7, 64, 1000})
    void lookupAndNextStartMatchTheScan(int count) {
        ContainerRegion root = new ContainerRegion("root", 1L << 48);
        AddressSpace as = new AddressSpace("t", root, ByteOrder.LITTLE_ENDIAN);
        as.transaction(() -> {
            for (int i = 0; i < count; i++) {
                root.addSubregion(0x1000 + (long) i * 0x2000, new MmioRegion("r" + i, 0x1000, OPS)); // holes between
            }
        });
        FlatView view = as.flatView();
        assertEquals(count, view.size());
        List<FlatRange> ranges = view.ranges();
        SplittableRandom rnd = new SplittableRandom(count);
        long[] fixed = {0, 0xfff, 0x1000, 0x1fff, 0x2000, (long) count * 0x2000 + 0x1000, -1L, Long.MIN_VALUE, Long.MAX_VALUE};
        for (long a : fixed) {
            assertEquals(scan(ranges, a), view.lookup(a), "lookup 0x" + Long.toHexString(a));
            assertEquals(nextStartByScan(ranges, a), view.nextStart(a), "nextStart 0x" + Long.toHexString(a));
        }
        for (int i = 0; i < 5000; i++) {
            long a = rnd.nextLong(0, (long) count * 0x2000 + 0x3000);
            assertEquals(scan(ranges, a), view.lookup(a), "lookup 0x" + Long.toHexString(a));
            assertEquals(nextStartByScan(ranges, a), view.nextStart(a), "nextStart 0x" + Long.toHexString(a));
        }
    }
}
