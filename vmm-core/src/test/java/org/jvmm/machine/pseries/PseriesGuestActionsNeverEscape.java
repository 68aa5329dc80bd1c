package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.jvmm.fuzz.FuzzCampaign;
import org.jvmm.fuzz.Fuzzers;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The pseries guest fuzzer: the committed corpus, then a bounded number of random action
 * sequences from the fixed seed. The long run is {@code scripts/fuzz.sh guest-pseries DURATION [SEED]}.
 */
class PseriesGuestActionsNeverEscape {

    @Test
    @DisplayName("random loads, stores, hypercalls, RTAS buffers, TCEs and edu DMA from a pseries guest: nothing escapes the VMM, no hang")
    void randomGuestActions() {
        FuzzCampaign.Result r = FuzzCampaign.run(Fuzzers.pseriesGuest(), Path.of("src/test/resources/fuzz/guest-pseries"),
                FuzzCampaign.Bounds.fromSystemProperties(50));
        assertEquals(0, r.escapes(), r.report());
    }
}
