package org.jvmm.bench.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PpcSuiteVsQemu against a stand-in for qemu-ppc64le (a script printing the binary's line): QEMU's
 * rate is the reference run's instructions over the time the binary reports, each round's ratio
 * is the rate of the soft CPU running beside it over that, and a result that differs from the soft CPU's stops the run
 * with both results named. The real QEMU side is SuiteKernelsOnTheSoftCpuMatchQemu's business.
 */
class SuiteVsQemuTakesRatiosOfSideBySideRunsAndChecksResults {
    /** crc32's result after 20 calls (qemu-ppc64le 7.2, see SuiteKernelsOnTheSoftCpuMatchQemu). */
    private static final String CRC32_20 = "0x000000001894e3ce";

    private static Path fakeQemu(Path dir, String result, long ns) throws IOException {
        Path script = dir.resolve("fake-qemu");
        Files.writeString(script, "#!/bin/sh\necho \"kernel=$2 calls=$3 result=" + result + " ns=" + ns + "\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void qemuRateIsTheReferenceInstructionsOverItsReportedTime(@TempDir Path dir) throws Exception {
        long insns;
        try (SuiteGuest g = new SuiteGuest("crc32")) {
            g.runCalls(20);
            insns = g.retiredAtLastTick - g.retiredAtFirstTick;
        }
        PpcSuiteVsQemu.Figures f = PpcSuiteVsQemu.measure(fakeQemu(dir, CRC32_20, 250_000_000L).toString(), "suite",
                "crc32", 20, 3, 0);
        assertEquals(insns / 20, f.insnsPerCall());
        assertEquals(insns / 0.25, f.qemu(), 1e-6);
        assertTrue(f.soft() > 0 && f.interpreted() > 0, f.toString());
        assertEquals(f.interpreted() / f.qemu(), f.interpretedRatio(), 1e-9);
        assertEquals(f.soft() / f.qemu(), f.ratio(), 1e-9, "a constant QEMU rate makes the median ratio soft/qemu");
        assertTrue(f.minRatio() <= f.ratio() && f.ratio() <= f.maxRatio(), f.toString());
        assertTrue(f.minRatio() <= f.geoRatio() && f.geoRatio() <= f.maxRatio(), f.toString());
    }

    @Test
    void theRoundsGeometricMeanWeighsEachRoundAlike() {
        assertEquals(2.0, PpcSuiteVsQemu.geometricMean(new double[] {1, 4}), 1e-12);
        assertEquals(1.0, PpcSuiteVsQemu.geometricMean(new double[] {0.5, 2, 0.5, 2}), 1e-12);
        assertEquals(0.7, PpcSuiteVsQemu.geometricMean(new double[] {0.7}), 1e-12);
    }

    @Test
    void aResultThatDiffersFromTheSoftCpusStopsTheRun(@TempDir Path dir) throws Exception {
        String qemu = fakeQemu(dir, "0x0000000000000001", 1000).toString();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PpcSuiteVsQemu.measure(qemu, "suite", "crc32", 20, 1, 0));
        assertEquals("PpcSuiteVsQemu: crc32 after 20 calls: qemu-ppc64le result 0x0000000000000001, soft CPU "
                + CRC32_20, e.getMessage());
    }

    @Test
    void aCpuListReadsAsTheKernelWritesIt() {
        assertEquals(java.util.List.of(0, 1, 4, 6, 7), PpcSuiteVsQemu.Pinning.cpuList("0-1,4,6-7"));
        assertEquals(java.util.List.of(3), PpcSuiteVsQemu.Pinning.cpuList("3"));
        assertEquals(java.util.List.of(), PpcSuiteVsQemu.Pinning.cpuList("zero"));
    }

    /**
     * With two CPUs and taskset, QEMU runs on the other CPU than the JVM, swapped each round (the
     * stand-in records the CPUs it may use), and the JVM may use all its CPUs again afterwards.
     */
    @Test
    void pinnedRoundsSwapTheCpusAndGiveThemBack(@TempDir Path dir) throws Exception {
        PpcSuiteVsQemu.Pinning pinning = PpcSuiteVsQemu.Pinning.detect();
        org.junit.jupiter.api.Assumptions.assumeTrue(pinning.pins(), () -> "no pinning here: " + pinning.describe());
        Path seen = dir.resolve("cpus");
        Path script = dir.resolve("fake-qemu");
        Files.writeString(script, "#!/bin/sh\nsed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$$/status >> " + seen
                + "\necho \"kernel=$2 calls=$3 result=" + CRC32_20 + " ns=1000000\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        String before = allowed();
        PpcSuiteVsQemu.measure(script.toString(), "suite", "crc32", 20, 3, 0, pinning);
        String a = Integer.toString(pinning.a());
        String b = Integer.toString(pinning.b());
        // Three translated rounds, then three interpreted ones, each pair starting over.
        assertEquals(java.util.List.of(b, a, b, b, a, b), Files.readAllLines(seen));
        assertEquals(before, allowed());
    }

    private static String allowed() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                .findFirst().orElseThrow();
    }
}
