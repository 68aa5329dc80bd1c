package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.jvmm.vfio.iommu.SpaprModelHarness.Op;

/**
 * Property: any sequence of sPAPR TCE container ioctls (ENABLE/DISABLE, REGISTER/UNREGISTER_MEMORY,
 * TCE_CREATE/REMOVE with page shifts, sizes and levels good and bad, MAP_DMA/UNMAP_DMA) and device
 * DMA gives the same result or errno, the same windows and TCEs, the same registered regions and
 * use counts and the same locked-memory count in {@link SpaprTceIommu} as in
 * {@link SpaprTceReferenceModel}, for v1 and v2, and closing the container gives every charge back
 * and the PE to the platform. The operations come from {@link SpaprModelHarness#next}, which the
 * 10-million-operation run ({@link ModelRun}) shares.
 */
class SpaprTceRandomSequencesMatchReferenceModel {
    private static final long[] MEMLOCK = {8L << 20, 1L << 30};

    @Provide
    Arbitrary<SpaprModelHarness.Op> op() {
        return Arbitraries.randomValue(SpaprModelHarness::next);
    }

    @Property(tries = 150)
    void spaprV2MatchesTheModel(@ForAll @Size(min = 10, max = 120) List<@From("op") Op> ops,
            @ForAll boolean bigLimit) {
        run(true, bigLimit, ops);
    }

    @Property(tries = 100)
    void spaprV1MatchesTheModel(@ForAll @Size(min = 10, max = 80) List<@From("op") Op> ops,
            @ForAll boolean bigLimit) {
        run(false, bigLimit, ops);
    }

    private static void run(boolean v2, boolean bigLimit, List<SpaprModelHarness.Op> ops) {
        SpaprModelHarness h = new SpaprModelHarness(v2, MEMLOCK[bigLimit ? 1 : 0], ops.size());
        String divergence = null;
        int step = 0;
        for (SpaprModelHarness.Op op : ops) {
            divergence = h.step(op);
            if (divergence != null) {
                divergence = "step " + step + " " + op + " (" + (v2 ? "v2" : "v1") + "): " + divergence;
                break;
            }
            step++;
        }
        String atClose = h.finish();
        assertNull(divergence);
        assertNull(atClose, "at close");
    }
}
