package org.jvmm.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("IovaTree: floor/ceiling/higher/put/remove agree with an unsigned TreeMap through block splits and removals")
class IovaTreeMatchesTreeMap {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomOperationsAgree(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        IovaTree<Long> tree = new IovaTree<>();
        TreeMap<Long, Long> ref = new TreeMap<>(Long::compareUnsigned);
        long[] pool = new long[3000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = switch (r.nextInt(4)) {
                case 0 -> r.nextLong();
                case 1 -> -1L - r.nextInt(100);
                default -> (long) r.nextInt(5000) << 12;
            };
        }
        for (int step = 0; step < 40_000; step++) {
            long k = pool[r.nextInt(pool.length)];
            int op = r.nextInt(10);
            if (op < 5) {
                if (!ref.containsKey(k)) {
                    ref.put(k, k);
                    tree.put(k, k);
                }
            } else if (op < 8) {
                assertEquals(ref.remove(k), tree.remove(k));
            } else {
                Map.Entry<Long, Long> f = ref.floorEntry(k);
                Map.Entry<Long, Long> c = ref.ceilingEntry(k);
                Map.Entry<Long, Long> h = ref.higherEntry(k);
                assertEquals(f == null ? null : f.getValue(), tree.floor(k), "floor " + Long.toHexString(k));
                assertEquals(c == null ? null : c.getValue(), tree.ceiling(k), "ceiling " + Long.toHexString(k));
                assertEquals(h == null ? null : h.getValue(), tree.higher(k), "higher " + Long.toHexString(k));
            }
            assertEquals(ref.size(), tree.size());
        }
        assertEquals(new ArrayList<>(ref.values()), tree.values());
        tree.clear();
        assertEquals(0, tree.size());
        assertEquals(null, tree.floor(-1L));
    }
}
