package org.jvmm.bench.web;

import java.io.IOException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jvmm.bench.journal.QmpLines;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qmp.PseriesMonitored;
import org.jvmm.qmp.QmpEndpoint;
import org.jvmm.qmp.QmpMonitor;
import org.jvmm.qmp.QmpServer;
import org.jvmm.web.WebView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The web view's {@code GET /api/status} (HTTP/1.1 keep-alive on loopback, the JDK's client)
 * against the reference in the same run, {@code qmpQueryStatus}: the same query-status over a
 * QMP Unix socket to the same monitor on pseries.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "-Dchronicle.analytics.disable=true"})
public class WebApiLatencyBenchmark {
    private static final byte[] QUERY = "{\"execute\":\"query-status\"}".getBytes(StandardCharsets.UTF_8);

    private Path dir;
    private PseriesMachine machine;
    private QmpServer server;
    private WebView web;
    private SocketChannel qmp;
    private HttpClient http;
    private HttpRequest status;
    private final ByteBuffer in = ByteBuffer.allocate(4096);

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jvmm-web-bench");
        machine = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
        QmpMonitor monitor = new QmpMonitor(new PseriesMonitored(machine, false), false, () -> { });
        server = QmpServer.start(monitor, QmpEndpoint.parse("unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off"),
                QmpServer.Transport.AUTO);
        web = WebView.start(monitor, "127.0.0.1", 0);
        qmp = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("qmp.sock")));
        readLine();
        qmp.write(ByteBuffer.wrap("{\"execute\":\"qmp_capabilities\"}".getBytes(StandardCharsets.UTF_8)));
        readLine();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + "/api/status")).build();
    }

    private int readLine() throws IOException {
        return QmpLines.readLine(qmp, in);
    }

    @Benchmark
    public int webApiStatus() throws IOException, InterruptedException {
        return http.send(status, HttpResponse.BodyHandlers.ofString()).body().length();
    }

    @Benchmark
    public int qmpQueryStatus() throws IOException {
        qmp.write(ByteBuffer.wrap(QUERY));
        return readLine();
    }

    @TearDown
    public void tearDown() throws Exception {
        qmp.close();
        web.close();
        server.close();
        machine.close();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
