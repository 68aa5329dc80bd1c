package org.jvmm.bench.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each kernel of the benchmark suite, run on the soft CPU for 20 calls, ends with the result
 * qemu-ppc64le 7.2 printed for the same kernel object linked as a static Linux binary
 * ({@code qemu-ppc64le benchmarks/ppc-kernel-bin/suite-linux-le KERNEL 20}), in both tiers. The
 * translated tier is made to translate at once (threshold 1), so that it runs nearly everything.
 */
class SuiteKernelsOnTheSoftCpuMatchQemu {
    private static final long CALLS = 20;

    @ParameterizedTest(name = "{0} ({1}) ends with QEMU's result {2}")
    @CsvSource({
        "crc32,   translated,  0x000000001894e3ce",
        "crc32,   interpreted, 0x000000001894e3ce",
        "matmul,  translated,  0x5cf93d74cee05130",
        "matmul,  interpreted, 0x5cf93d74cee05130",
        "qsort,   translated,  0xaf333fbd215260bc",
        "qsort,   interpreted, 0xaf333fbd215260bc",
        "memops,  translated,  0x829ac0f2f6a61cc1",
        "memops,  interpreted, 0x829ac0f2f6a61cc1",
        "branchy, translated,  0x6353dd4268cc4186",
        "branchy, interpreted, 0x6353dd4268cc4186",
    })
    void kernelResultAfterTwentyCallsEqualsQemus(String kernel, String tier, String expected) {
        try (SuiteGuest g = new SuiteGuest(kernel)) {
            boolean translated = tier.equals("translated");
            g.cpu.setBlockTranslation(translated);
            if (translated) {
                g.cpu.setTranslateThreshold(1);
            }
            long result = g.runCalls(CALLS);
            assertEquals(Long.parseUnsignedLong(expected.substring(2), 16), result,
                    () -> kernel + ": result 0x" + Long.toHexString(result));
            if (translated) {
                assertTrue(g.cpu.translatedBlocks() > 0, kernel + ": no block was translated");
            } else {
                assertEquals(0, g.cpu.translatedBlocks(), kernel + ": the interpreter translated blocks");
            }
        }
    }
}
