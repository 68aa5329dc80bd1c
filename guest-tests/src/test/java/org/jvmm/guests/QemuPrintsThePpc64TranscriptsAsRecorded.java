package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The live check of the committed QEMU transcripts: where qemu-system-ppc64 is installed, each
 * image runs on QEMU's pseries with the recorded command and prints exactly the recorded lines
 * (timebase values masked) and QEMU exits with status 0 after the guest's RTAS power-off. Skipped,
 * with the reason, where QEMU is not installed; the jvmm suites compare with the same transcripts.
 */
class QemuPrintsThePpc64TranscriptsAsRecorded {

    @ParameterizedTest(name = "{0}-{1}")
    @MethodSource("org.jvmm.guests.Ppc64Guests#all")
    void qemuPrintsTheRecordedTranscriptAndPowersOff(String name, String endian, @TempDir Path tmp) throws Exception {
        Optional<String> missing = Ppc64Guests.missingTool("qemu-system-ppc64");
        assumeTrue(missing.isEmpty(), () -> "live QEMU check skipped: " + missing.orElse(""));
        File out = tmp.resolve("stdout").toFile();
        Process p = new ProcessBuilder(Ppc64Guests.qemuCommand(name, endian))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out)
                .redirectError(tmp.resolve("stderr").toFile())
                .start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String printed = Files.readString(out.toPath(), StandardCharsets.US_ASCII);
        assertTrue(ended, "QEMU did not power off within 60 s; it printed:\n" + printed);
        assertEquals(0, p.exitValue(), () -> "QEMU's exit status; stderr:\n" + read(tmp.resolve("stderr")));
        assertEquals(Ppc64Guests.maskTimebase(Ppc64Guests.qemuTranscript(name, endian)),
                Ppc64Guests.maskTimebase(printed));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
