package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays QEMU 7.2's own transcripts (test resources qmp/qemu-7.2-session-N.json, see the README
 * there) against jvmm's monitor on a pseries machine started with -S, over a Unix socket, and
 * checks every answer that does not describe QEMU's own machine is the same text, timestamps
 * aside: the greeting's shape, negotiation, member checks, argument errors, CommandNotFound,
 * DeviceNotFound, id echo of every JSON type, JSON framing, and the events of stop, cont,
 * system_reset, system_powerdown and quit written before their answers.
 */
class QmpAnswersAsQemu {
    /** Inputs whose answer describes QEMU's machine or version, not the protocol: not compared. */
    private static final List<String> QEMU_SPECIFIC = List.of("query-version", "query-commands", "query-kvm", "query-pci",
            "query-name", "x-query-iommu", "\"info\"}", "info pci", "info mtree");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "session {0}")
    @ValueSource(ints = {1, 2, 3})
    @DisplayName("QEMU 7.2's answers, replayed: the same text from jvmm's monitor")
    void replay(int session) throws Exception {
        JsonNode transcript;
        try (InputStream in = getClass().getResourceAsStream("/qmp/qemu-7.2-session-" + session + ".json")) {
            transcript = QmpJson.MAPPER.readTree(in);
        }
        try (PseriesMachine m = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
                QmpServer server = QmpServer.start(new QmpMonitor(new PseriesMonitored(m, true), true, () -> { }),
                        QmpEndpoint.parse("unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off"), QmpServer.Transport.AUTO);
                QmpTestClient c = new QmpTestClient(server.localAddress())) {
            String greeting = c.line();
            assertEquals("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 0}, \"package\": \"jvmm 0.1.0\"},"
                    + " \"capabilities\": [\"oob\"]}}", greeting, "the greeting, in QEMU's shape and spacing");
            int compared = 0;
            for (JsonNode step : transcript) {
                if (step.get("send").isNull()) {
                    continue;
                }
                String send = step.get("send").textValue();
                List<String> expected = new ArrayList<>();
                step.get("recv").forEach(l -> expected.add(mask(l.textValue())));
                c.send(send);
                List<String> got = c.lines(expected.size(), expected.isEmpty() ? 300 : 5000).stream().map(QmpAnswersAsQemu::mask).toList();
                if (QEMU_SPECIFIC.stream().anyMatch(send::contains)) {
                    assertEquals(expected.size(), got.size(), "one answer line per QEMU line for " + send);
                    continue;
                }
                assertEquals(expected, got, "answer to " + send);
                compared++;
            }
            assertTrue(compared >= 5, "compared " + compared + " answers");
        }
    }

    private static String mask(String line) {
        return line.replaceAll("\"timestamp\": \\{\"seconds\": \\d+, \"microseconds\": \\d+\\}", "\"timestamp\": T");
    }
}
