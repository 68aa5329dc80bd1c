package org.jvmm.bench.journal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qmp.PseriesMonitored;
import org.jvmm.qmp.QmpEndpoint;
import org.jvmm.qmp.QmpMonitor;
import org.jvmm.qmp.QmpServer;
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
 * QMP round trip: {@code query-status} sent and its answer read by a blocking client over a Unix
 * socket, against the monitor on pseries ({@code queryStatus}); the reference in the same run,
 * {@code echoReference}, is the same write and read against a plain JDK echo thread on a Unix
 * socket (what the socket itself costs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "-Dchronicle.analytics.disable=true"})
public class QmpRoundTripBenchmark {
    private static final byte[] QUERY = "{\"execute\":\"query-status\"}".getBytes(StandardCharsets.UTF_8);

    private Path dir;
    private PseriesMachine machine;
    private QmpServer server;
    private SocketChannel qmp;
    private SocketChannel echo;
    private ServerSocketChannel echoServer;
    private Thread echoThread;
    private final ByteBuffer in = ByteBuffer.allocate(4096);

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jvmm-qmp-bench");
        machine = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
        server = QmpServer.start(new QmpMonitor(new PseriesMonitored(machine, false), false, () -> { }),
                QmpEndpoint.parse("unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off"), QmpServer.Transport.AUTO);
        qmp = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("qmp.sock")));
        readLine(qmp);
        qmp.write(ByteBuffer.wrap("{\"execute\":\"qmp_capabilities\"}".getBytes(StandardCharsets.UTF_8)));
        readLine(qmp);
        echoServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        echoServer.bind(UnixDomainSocketAddress.of(dir.resolve("echo.sock")));
        echoThread = Thread.ofPlatform().daemon().start(() -> {
            try (SocketChannel c = echoServer.accept()) {
                ByteBuffer b = ByteBuffer.allocate(4096);
                byte[] answer = "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n"
                        .getBytes(StandardCharsets.UTF_8);
                while (c.read(b.clear()) > 0) {
                    c.write(ByteBuffer.wrap(answer));
                }
            } catch (IOException e) {
                // closed at tear-down
            }
        });
        echo = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("echo.sock")));
    }

    private int readLine(SocketChannel c) throws IOException {
        return QmpLines.readLine(c, in);
    }

    @Benchmark
    public int queryStatus() throws IOException {
        qmp.write(ByteBuffer.wrap(QUERY));
        return readLine(qmp);
    }

    @Benchmark
    public int echoReference() throws IOException {
        echo.write(ByteBuffer.wrap(QUERY));
        return readLine(echo);
    }

    @TearDown
    public void tearDown() throws Exception {
        qmp.close();
        echo.close();
        echoServer.close();
        server.close();
        machine.close();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
