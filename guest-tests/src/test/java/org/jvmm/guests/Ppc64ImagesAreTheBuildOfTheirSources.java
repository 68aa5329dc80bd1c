package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed ppc64 images are what guests/ppc64/build.sh makes of the committed sources, byte
 * for byte (the build is reproducible), and there is one LE and one BE image per guest source.
 * Needs Debian's powerpc64le-linux-gnu-gcc, the version images/ppc64/COMPILER names; skipped with
 * the reason where it is not installed or is another version.
 */
class Ppc64ImagesAreTheBuildOfTheirSources {

    @Test
    void rebuildingTheGuestsGivesTheCommittedImagesByteForByte(@TempDir Path tmp) throws Exception {
        Optional<String> missing = Ppc64Guests.missingTool("powerpc64le-linux-gnu-gcc");
        assumeTrue(missing.isEmpty(), () -> "rebuild check skipped: " + missing.orElse(""));
        String builtWith = Files.readString(Path.of("images", "ppc64", "COMPILER"), StandardCharsets.UTF_8).strip();
        String here = compilerVersion(tmp);
        assumeTrue(builtWith.equals(here), () -> "rebuild check skipped: the images were built with '" + builtWith
                + "', this host has '" + here + "' (bytes are compared only for the same compiler)");
        ProcessBuilder pb = new ProcessBuilder("bash", "guests/ppc64/build.sh").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("build.log").toFile());
        pb.environment().put("OUT", tmp.resolve("images").toString());
        Process p = pb.start();
        assertEquals(true, p.waitFor(300, TimeUnit.SECONDS), "build.sh did not finish in 300 s");
        assertEquals(0, p.exitValue(), () -> readLog(tmp.resolve("build.log")));
        List<String> built = list(tmp.resolve("images"));
        assertEquals(list(Path.of("images", "ppc64")), built, "the same image names");
        for (String f : built) {
            assertArrayEquals(Files.readAllBytes(Path.of("images", "ppc64", f)),
                    Files.readAllBytes(tmp.resolve("images").resolve(f)), f + " differs from its rebuild");
        }
        for (String n : Ppc64Guests.NAMES) {
            for (String e : Ppc64Guests.ENDIANS) {
                assertEquals(true, built.contains(n + "-" + e + ".bin"), n + "-" + e + ".bin is built");
            }
        }
        for (String n : Ppc64Guests.KERNEL_NAMES) {
            for (String e : Ppc64Guests.ENDIANS) {
                assertEquals(true, built.contains(n + "-" + e + ".elf"), n + "-" + e + ".elf is built");
            }
        }
        assertEquals((Ppc64Guests.NAMES.size() + Ppc64Guests.KERNEL_NAMES.size()) * Ppc64Guests.ENDIANS.size(), built.size(),
                built.toString());
    }

    private static String compilerVersion(Path tmp) throws Exception {
        Path out = tmp.resolve("gcc-version");
        Process p = new ProcessBuilder("powerpc64le-linux-gnu-gcc", "--version").redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "gcc --version did not finish");
        return Files.readAllLines(out, StandardCharsets.UTF_8).getFirst().strip();
    }

    private static List<String> list(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).filter(x -> x.endsWith(".bin") || x.endsWith(".elf")).sorted()
                    .toList();
        }
    }

    private static String readLog(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(no build log: " + e + ")";
        }
    }
}
