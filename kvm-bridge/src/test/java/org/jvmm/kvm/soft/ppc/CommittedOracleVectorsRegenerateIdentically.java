package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the oracle toolchain on this machine (python3, powerpc64le-linux-gnu-gcc,
 * powerpc64-linux-gnu-gcc, qemu-ppc64le, qemu-ppc64), gen_vectors.py regenerates exactly the
 * committed vectors: the committed files are what the script and QEMU produce. Skipped, with the
 * missing tool named, elsewhere (the committed vectors are then checked by
 * {@link InstructionSemanticsMatchQemuOracle} alone).
 */
class CommittedOracleVectorsRegenerateIdentically {

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void regeneratedVectorsEqualTheCommittedOnes(@TempDir Path out) throws Exception {
        for (String tool : List.of("python3", "powerpc64le-linux-gnu-gcc", "powerpc64-linux-gnu-gcc", "qemu-ppc64le",
                "qemu-ppc64")) {
            assumeTrue(onPath(tool), tool + " is not on PATH: the live oracle check is skipped");
        }
        Path script = Path.of("src/test/ppc-oracle/gen_vectors.py");
        assumeTrue(Files.isRegularFile(script), script.toAbsolutePath() + " not found (tests not run from kvm-bridge)");
        Process p = new ProcessBuilder("python3", script.toString(), "--out", out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "gen_vectors.py finished in time");
        assertEquals(0, p.exitValue(), "gen_vectors.py failed:\n" + log);
        for (String name : List.of("vectors-le.txt.gz", "vectors-be.txt.gz")) {
            String fresh = gunzip(Files.newInputStream(out.resolve(name)));
            String committed = gunzip(getClass().getResourceAsStream("/ppc/" + name));
            assertEquals(committed.lines().count(), fresh.lines().count(), name + " case count");
            assertEquals(committed, fresh, name + " content");
        }
    }

    private static String gunzip(InputStream in) throws IOException {
        try (InputStream z = new GZIPInputStream(in)) {
            return new String(z.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
