package org.jvmm.qtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.jvmm.fuzz.FuzzCampaign;
import org.jvmm.fuzz.Fuzzers;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The qtest front-end fuzzer: the committed corpus, then a bounded number of random scripts from
 * the fixed seed. The long run is {@code scripts/fuzz.sh qtest DURATION [SEED]}.
 */
class QtestScriptsAlwaysAnswerEveryLine {

    @Test
    @DisplayName("random and adversarial qtest scripts: one OK/ERR answer per command line, nothing thrown, no hang")
    void randomScripts() {
        FuzzCampaign.Result r = FuzzCampaign.run(Fuzzers.qtest(), Path.of("src/test/resources/fuzz/qtest"),
                FuzzCampaign.Bounds.fromSystemProperties(40));
        assertEquals(0, r.escapes(), r.report());
    }
}
