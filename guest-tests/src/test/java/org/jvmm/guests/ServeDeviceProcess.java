package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmm.cli.Main;

/**
 * {@code ./vmm serve-device SPEC,socket=PATH --once} in a second JVM: started, waited for until it
 * listens, its later lines drained; killed at close if still alive.
 */
final class ServeDeviceProcess implements AutoCloseable {
    final Path socket;
    final Process process;

    ServeDeviceProcess(String spec, Path socket) throws IOException {
        this.socket = socket;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--sun-misc")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve-device",
                spec + ",socket=" + socket, "--once"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("serve-device: " + spec.split(",")[0] + " listening on " + socket, lines.readLine());
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (lines.readLine() != null) {
                    // drained so the server never blocks on a full pipe
                }
            } catch (IOException e) {
                // the server ended
            }
        });
    }

    /** Kills the server (SIGKILL) and waits for it to end. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
