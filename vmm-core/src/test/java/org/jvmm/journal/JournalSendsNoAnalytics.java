package org.jvmm.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chronicle Queue reports usage analytics to an outside host, and leaves a file in the home
 * directory, unless {@code chronicle.analytics.disable=true} is set before it loads. A journal
 * written and read in a JVM of its own, with its home directory a fresh folder and every HTTP,
 * HTTPS and SOCKS proxy pointed at a listener of this test, leaves no file in that home and
 * connects to nothing: the setting is the journal's own (the JVM is not given the property). The
 * control, Chronicle opened without the setting, leaves its analytics files there.
 */
class JournalSendsNoAnalytics {
    @TempDir
    Path dir;

    @Test
    void aJournalRunLeavesNoAnalyticsFileAndConnectsNowhere() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        int connections = run(home, dir.resolve("journal"), false);
        assertEquals(List.of(), analyticsFiles(home), "no analytics file in the home directory");
        assertEquals(0, connections, "no connection through any proxy");
    }

    /** The control: Chronicle opened directly, the property unset, does leave its analytics trace. */
    @Test
    void chronicleOnItsOwnWouldLeaveOne() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        int connections = run(home, dir.resolve("raw"), true);
        assertEquals(List.of(".chronicle.analytics.client.id", ".chronicle.analytics.last"), analyticsFiles(home).stream().sorted().toList(),
                "the control shows what the test looks for (" + connections + " connection(s))");
    }

    /** Files under {@code home} whose name speaks of Chronicle or analytics (JNA's native cache is neither). */
    private static List<String> analyticsFiles(Path home) throws IOException {
        try (var files = Files.walk(home)) {
            return files.map(f -> home.relativize(f).toString())
                    .filter(n -> n.toLowerCase(java.util.Locale.ROOT).contains("chronicle") || n.toLowerCase(java.util.Locale.ROOT).contains("analytics"))
                    .toList();
        }
    }

    private static int run(Path home, Path journal, boolean raw) throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket trap = new ServerSocket(0)) {
            Thread accept = Thread.ofVirtual().start(() -> {
                while (!trap.isClosed()) {
                    try (Socket s = trap.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            Process p = probe(home, trap.getLocalPort(), journal, raw);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("probe done"), out);
            trap.close();
            accept.join();
        }
        return connections.get();
    }

    /**
     * This module's classes and its runtime dependencies, JUnit not among them: Chronicle's
     * analytics keep quiet when they find JUnit, which would make the control prove nothing.
     */
    private static String classPathWithoutJUnit() throws IOException {
        Path deps = Path.of("target", "runtime-classpath.txt");
        return Path.of("target", "test-classes").toAbsolutePath() + java.io.File.pathSeparator
                + Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator + Files.readString(deps).strip();
    }

    private static Process probe(Path home, int trapPort, Path journal, boolean raw) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if ((a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc"))
                    && !a.contains("chronicle.analytics")) {
                cmd.add(a);
            }
        }
        String port = Integer.toString(trapPort);
        cmd.addAll(List.of("-Duser.home=" + home, "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + port,
                "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=" + port, "-DsocksProxyHost=127.0.0.1", "-DsocksProxyPort=" + port,
                "-cp", classPathWithoutJUnit(), ChronicleAnalyticsProbe.class.getName(), journal.toString(),
                raw ? "raw" : "journal"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
