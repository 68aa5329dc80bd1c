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
import org.jvmm.vfio.iommu.Type1ModelHarness.Op;

/**
 * Property: any sequence of MAP_DMA / UNMAP_DMA (including bad sizes, misalignment, overlaps,
 * splits, UNMAP_ALL, foreign vaddrs, the entry limit and the locked-memory limit) gives the same
 * result or errno, the same mapping set and the same locked-memory count in {@link Type1Iommu}
 * as in {@link Type1ReferenceModel}, for v1 and v2. The operations come from
 * {@link Type1ModelHarness#next}, which the 10-million-operation run ({@link ModelRun}) shares.
 */
class Type1RandomSequencesMatchReferenceModel {

    @Provide
    Arbitrary<Op> op() {
        return Arbitraries.randomValue(Type1ModelHarness::next);
    }

    @Property(tries = 300)
    void type1v2MatchesTheModel(@ForAll @Size(min = 10, max = 80) List<@From("op") Op> ops) {
        run(true, ops);
    }

    @Property(tries = 300)
    void type1v1MatchesTheModel(@ForAll @Size(min = 10, max = 80) List<@From("op") Op> ops) {
        run(false, ops);
    }

    private static void run(boolean v2, List<Op> ops) {
        Type1ModelHarness h = new Type1ModelHarness(v2);
        String divergence = null;
        int step = 0;
        for (Op op : ops) {
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
