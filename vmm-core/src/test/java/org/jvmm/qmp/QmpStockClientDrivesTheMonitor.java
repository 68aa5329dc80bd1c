package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock QMP client, the npm package qemu-qmp 0.5.0 on the machine's Node.js (it sends no
 * newlines and matches answers to commands in order), drives jvmm's monitor on pseries:
 * negotiation, queries, errors, stop/cont/reset with their events, quit. Skips, saying why, where
 * node or the package (installed by {@code npm ci} in src/test/node/qmp-client) is missing.
 */
class QmpStockClientDrivesTheMonitor {
    private static final Path CLIENT = Path.of("src", "test", "node", "qmp-client");

    @TempDir
    Path dir;

    @Test
    void qemuQmpRunsItsCommandsAndSeesTheEvents() throws Exception {
        assumeTrue(onPath("node"), "needs node (Node.js) on PATH for the stock client qemu-qmp");
        assumeTrue(Files.isRegularFile(CLIENT.resolve("node_modules/qemu-qmp/index.js")),
                "needs qemu-qmp installed: run 'npm ci' in vmm-core/src/test/node/qmp-client (.ci/run does)");
        Path sock = dir.resolve("qmp.sock");
        boolean[] quit = {false};
        try (PseriesMachine m = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
                QmpServer server = QmpServer.start(new QmpMonitor(new PseriesMonitored(m, true), true, () -> quit[0] = true),
                        QmpEndpoint.parse("unix:" + sock + ",server=on,wait=off"), QmpServer.Transport.AUTO)) {
            Process p = new ProcessBuilder("node", "drive.js", sock.toString()).directory(CLIENT.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(true, p.waitFor(30, TimeUnit.SECONDS), out);
            assertEquals("""
                    greeting {"micro":0,"minor":1,"major":0} ["oob"]
                    query-status {"status":"prelaunch","singlestep":false,"running":false}
                    query-name {}
                    x-query-pe [{"pe":2,"phb":0,"buid":576460752840294400,"state":5,"state-name":"unavailable","freezes":0}]
                    device_del error: Device 'nope' not found
                    no-such-command error: The command no-such-command has not been found
                    cont {}
                    query-status {"status":"running","singlestep":false,"running":true}
                    stop {}
                    system_reset {}
                    quit {}
                    events RESUME,STOP,RESET,SHUTDOWN
                    """, out);
            assertEquals(0, p.exitValue(), out);
            assertEquals(true, quit[0]);
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
