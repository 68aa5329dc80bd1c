package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vof-walk -kernel guest (guests/ppc64/vof): booted as QEMU 7.2's {@code -M pseries,x-vof=on}
 * boots it, it asks the Open Firmware client interface for the tree (finddevice, getprop,
 * getproplen, nextprop over /chosen, child, peer and parent over every node, package-to-path,
 * instance-to-package of stdout), sets /chosen's bootargs, claims memory, writes to stdout, calls
 * an unknown service and one with a wrong argument count, and exits. jvmm prints QEMU's lines
 * except for these, each intended:
 * <ul>
 * <li>what jvmm's device tree leaves out on purpose (SpaprDeviceTree: no random seed, no
 *     client-architecture-support vector, no graphic console, no event sources), the
 *     {@link #ONLY_ON_QEMU} lines;</li>
 * <li>the client interface's {@code write} goes to the vty on jvmm; QEMU 7.2's VOF only traces
 *     it (vof_write), so {@link #WRITTEN} shows on jvmm alone. Both answer 0.</li>
 * </ul>
 * The exit ends the run with status 0 on jvmm; QEMU 7.2 pauses the VM ("Stopped as the VM
 * requested "exit"") and goes on running, so its live check stops QEMU after the last line.
 */
class PseriesVofWalkPrintsWhatQemuPrints {
    /** QEMU's lines for what jvmm's tree leaves out (see SpaprDeviceTree). */
    static final List<String> ONLY_ON_QEMU = List.of(
            "    rng-seed [32] (random)",
            "    ibm,arch-vec-5-platform-support [8] <178018c0 19001a40>",
            "    qemu,graphic-depth [4] <20>",
            "    qemu,graphic-height [4] <258>",
            "    qemu,graphic-width [4] <320>",
            "  /event-sources: name \"event-sources\" [14], parent ok, finddevice ok",
            "    /event-sources/hot-plug-events: name \"hot-plug-events\" [16], parent ok, finddevice ok",
            "    /event-sources/epow-events: name \"epow-events\" [12], parent ok, finddevice ok");
    /** What the guest's client-interface write prints on jvmm's vty. */
    static final String WRITTEN = "hello through the client interface's write";
    static final String EXIT = "the guest called exit (Open Firmware client interface)";

    /** QEMU's transcript as jvmm prints it: without {@link #ONLY_ON_QEMU}, with {@link #WRITTEN}. */
    static String expectedOnJvmm(String endian) {
        List<String> lines = new ArrayList<>();
        int left = 0;
        for (String l : Ppc64Guests.qemuTranscript("vof-walk", endian).split("\n", -1)) {
            if (ONLY_ON_QEMU.contains(l)) {
                left++;
                continue;
            }
            if (l.startsWith("write to stdout -> ")) {
                lines.add(WRITTEN);
            }
            lines.add(l);
        }
        assertEquals(ONLY_ON_QEMU.size(), left, "every left-out line is in QEMU's transcript");
        return String.join("\n", lines);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("vof-walk: QEMU 7.2's lines through the client interface (as listed), exit ends the run with status 0")
    void vofWalkPrintsQemusLines(String endian) {
        PseriesGuestRun r = PseriesGuestRun.runKernel("vof-walk", endian);
        assertEquals(EXIT, r.stopLine(), r.all());
        assertEquals(0, r.status(), r.all());
        assertEquals(expectedOnJvmm(endian), r.guest(), r.all());
        assertEquals(0, r.exits("mmio"), r.all());
        assertTrue(r.exits("papr_hcall") > 0, r.all());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("live: QEMU 7.2 with x-vof=on prints the recorded transcript and stops as the VM requested exit")
    void qemuPrintsTheRecordedTranscript(String endian, @TempDir Path tmp) throws Exception {
        Optional<String> missing = Ppc64Guests.missingTool("qemu-system-ppc64");
        assumeTrue(missing.isEmpty(), () -> "live QEMU check skipped: " + missing.orElse(""));
        Path out = tmp.resolve("stdout");
        Path err = tmp.resolve("stderr");
        Process p = new ProcessBuilder(Ppc64Guests.qemuKernelCommand("vof-walk", endian))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        String expected = Ppc64Guests.qemuTranscript("vof-walk", endian);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String printed = "";
        try {
            while (System.nanoTime() < deadline && p.isAlive()) {
                printed = Files.readString(out, StandardCharsets.US_ASCII);
                if (printed.length() >= expected.length() && Files.readString(err, StandardCharsets.UTF_8)
                        .contains("Stopped as the VM requested \"exit\"")) {
                    break;
                }
                Thread.sleep(100);
            }
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        printed = Files.readString(out, StandardCharsets.US_ASCII);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(stderr.contains("qemu-system-ppc64: Stopped as the VM requested \"exit\""), stderr);
        assertEquals(expected, printed);
    }
}
