package org.jvmm.bench.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * PpcSuiteRate, the per-build half of benchmarks/ppc-pairwise.sh: a rate per window, the median
 * and best of them on the line it prints, and bad arguments named.
 */
class SuiteRateCountsInstructionsPerCpuSecond {
    @Test
    void theLineCarriesEachWindowAndTheirMedianAndBest() {
        PpcSuiteRate.Rate r = PpcSuiteRate.measure("crc32", 0.05, 3, 0.05);
        assertEquals(3, r.windows().length);
        double[] s = r.windows().clone();
        java.util.Arrays.sort(s);
        assertEquals(s[1], r.median());
        assertEquals(s[2], r.best());
        assertTrue(s[0] > 0, "every window retired instructions: " + r.line());
        String line = r.line();
        assertTrue(line.matches("kernel=crc32 median=[0-9]+\\.[0-9]{3} best=[0-9]+\\.[0-9]{3} windows=\\[[0-9.]+, [0-9.]+, [0-9.]+\\]"),
                line);
        assertEquals(String.format(java.util.Locale.ROOT, "%.3f", r.median() / 1e9),
                line.replaceAll(".*median=([0-9.]+).*", "$1"));
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException usage = assertThrows(IllegalArgumentException.class,
                () -> PpcSuiteRate.main(new String[] {"crc32"}));
        assertEquals("PpcSuiteRate: usage KERNEL WARM WINDOWS [WINDOW], kernels [crc32, matmul, qsort, memops, branchy];"
                + " got [crc32]", usage.getMessage());
        IllegalArgumentException warm = assertThrows(IllegalArgumentException.class,
                () -> PpcSuiteRate.main(new String[] {"crc32", "-1", "3"}));
        assertEquals("PpcSuiteRate: WARM -1 is not a number of seconds >= 0", warm.getMessage());
        IllegalArgumentException windows = assertThrows(IllegalArgumentException.class,
                () -> PpcSuiteRate.measure("crc32", 0, 0, 0.5));
        assertEquals("PpcSuiteRate: WINDOWS 0 must be at least 1", windows.getMessage());
        IllegalArgumentException kernel = assertThrows(IllegalArgumentException.class,
                () -> PpcSuiteRate.measure("sha1", 0, 1, 0.5));
        assertEquals("SuiteGuest: unknown kernel 'sha1' (one of [crc32, matmul, qsort, memops, branchy])",
                kernel.getMessage());
    }
}
