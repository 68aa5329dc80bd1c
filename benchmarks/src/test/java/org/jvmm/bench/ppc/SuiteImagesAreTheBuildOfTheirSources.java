package org.jvmm.bench.ppc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed suite guest image (src/main/resources/ppc/suite-guest-le.bin) and Linux binary
 * (ppc-kernel-bin/suite-linux-le) are what src/main/ppc-suite/build.sh makes of the committed
 * sources, byte for byte. Needs Debian's powerpc64le-linux-gnu-gcc, the version
 * src/main/ppc-suite/COMPILER names; skipped with the reason where it is not installed or is
 * another version.
 */
class SuiteImagesAreTheBuildOfTheirSources {
    private static final Path SOURCES = Path.of("src", "main", "ppc-suite");

    @Test
    void rebuildingTheSuiteGivesTheCommittedImageAndBinaryByteForByte(@TempDir Path tmp) throws Exception {
        String here = compilerVersion(tmp);
        assumeTrue(here != null, "rebuild check skipped: powerpc64le-linux-gnu-gcc is not installed");
        String builtWith = Files.readString(SOURCES.resolve("COMPILER"), StandardCharsets.UTF_8).strip();
        assumeTrue(builtWith.equals(here), () -> "rebuild check skipped: the suite was built with '" + builtWith
                + "', this host has '" + here + "' (bytes are compared only for the same compiler)");
        ProcessBuilder pb = new ProcessBuilder("bash", SOURCES.resolve("build.sh").toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("build.log").toFile());
        pb.environment().put("OUT", tmp.toString());
        pb.environment().put("BIN", tmp.toString());
        Process p = pb.start();
        assertEquals(true, p.waitFor(300, TimeUnit.SECONDS), "build.sh did not finish in 300 s");
        assertEquals(0, p.exitValue(), () -> "build.sh failed: " + readLog(tmp.resolve("build.log")));
        assertArrayEquals(Files.readAllBytes(Path.of("src", "main", "resources", "ppc", "suite-guest-le.bin")),
                Files.readAllBytes(tmp.resolve("suite-guest-le.bin")), "suite-guest-le.bin differs from its rebuild");
        assertArrayEquals(Files.readAllBytes(Path.of("ppc-kernel-bin", "suite-linux-le")),
                Files.readAllBytes(tmp.resolve("suite-linux-le")), "suite-linux-le differs from its rebuild");
    }

    /** The compiler's first version line, or null if it is not installed. */
    private static String compilerVersion(Path tmp) throws Exception {
        Path out = tmp.resolve("gcc-version");
        Process p;
        try {
            p = new ProcessBuilder("powerpc64le-linux-gnu-gcc", "--version").redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
        } catch (java.io.IOException e) {
            return null;
        }
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "gcc --version did not finish");
        return p.exitValue() == 0 ? Files.readAllLines(out, StandardCharsets.UTF_8).getFirst().strip() : null;
    }

    private static String readLog(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(no build log: " + e + ")";
        }
    }
}
