package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.jvmm.fuzz.FuzzCampaign;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The PPC64 CPU fuzzer ({@link PpcCpuFuzzer}): the committed corpus, then a bounded number of
 * random programs from the fixed seed. The long run is {@code scripts/fuzz.sh ppc-cpu DURATION [SEED]}.
 */
class RandomCodeNeverEscapesAndBothTiersAgree {

    @Test
    @DisplayName("random code: no Throwable out of the CPU, no hang, and the interpreter and the translated tier agree")
    void randomCode() {
        FuzzCampaign.Result r = FuzzCampaign.run(new PpcCpuFuzzer(), Path.of("src/test/resources/fuzz/ppc-cpu"),
                FuzzCampaign.Bounds.fromSystemProperties(200));
        assertEquals(0, r.escapes(), r.report());
    }
}
