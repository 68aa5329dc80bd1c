package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The monitor's transport: Unix sockets on epoll and on NIO, TCP on loopback; several clients at
 * once, each negotiating for itself; events only to negotiated clients; input framed as a JSON
 * stream (an object split over writes, two in one write, no newline at all).
 */
class QmpServesSeveralClientsOverEpollAndNio {
    @TempDir
    Path dir;

    private static final String STATUS_PRELAUNCH = "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}}";

    @ParameterizedTest
    @EnumSource(value = QmpServer.Transport.class, names = {"EPOLL", "NIO"})
    void twoClientsNegotiateApartAndOnlyTheNegotiatedOneSeesEvents(QmpServer.Transport transport) throws Exception {
        try (PseriesMachine m = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
                QmpServer server = QmpServer.start(new QmpMonitor(new PseriesMonitored(m, true), true, () -> { }),
                        QmpEndpoint.parse("unix:" + dir.resolve("m.sock") + ",server=on,wait=off"), transport);
                QmpTestClient a = new QmpTestClient(server.localAddress());
                QmpTestClient b = new QmpTestClient(server.localAddress())) {
            assertEquals(transport == QmpServer.Transport.EPOLL, server.epoll());
            a.line();
            b.line();
            assertEquals("{\"return\": {}}", a.execute("{\"execute\":\"qmp_capabilities\"}"));
            assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with 'qmp_capabilities'\"}}",
                    b.execute("{\"execute\":\"query-status\"}"), "b has not negotiated though a has");
            a.send("{\"execute\":\"cont\"}");
            assertTrue(a.line().contains("\"event\": \"RESUME\""), "the event comes before the answer");
            assertEquals("{\"return\": {}}", a.line());
            assertEquals(List.of(), b.lines(0, 300), "no event to a client still negotiating");
            assertEquals("{\"return\": {}}", b.execute("{\"execute\":\"qmp_capabilities\"}"));
            b.execute("{\"execute\":\"stop\"}");
            assertTrue(a.awaitEvent("STOP").startsWith("{\"timestamp\": {\"seconds\": "), "a sees b's stop");
        }
    }

    @Test
    void aJsonStreamIsFramedWhateverTheWritesAndLines() throws Exception {
        try (PseriesMachine m = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
                QmpServer server = QmpServer.start(new QmpMonitor(new PseriesMonitored(m, true), true, () -> { }),
                        QmpEndpoint.parse("tcp::0,server=on,wait=off"), QmpServer.Transport.AUTO);
                QmpTestClient c = new QmpTestClient(server.localAddress())) {
            assertTrue(((InetSocketAddress) server.localAddress()).getAddress().isLoopbackAddress(), "tcp::PORT listens on loopback");
            c.line();
            c.send("{\"execute\":\"qmp_capabilities\"}{\"execute\":\"query-status\"}");
            assertEquals(List.of("{\"return\": {}}", STATUS_PRELAUNCH), c.lines(2, 5000), "two objects in one write, no newline");
            c.send("{\"exec");
            assertEquals(List.of(), c.lines(0, 200), "half an object: no answer yet");
            c.send("ute\":\n\"query-status\",\n\"id\": {\"a\": \"}\"}");
            assertEquals(List.of(), c.lines(0, 200), "a brace inside a string does not close the object");
            c.send("}");
            assertEquals("{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, \"id\": {\"a\": \"}\"}}", c.line());
            c.send("\"bare\" {\"execute\":\"query-status\"}");
            assertEquals(List.of("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}", STATUS_PRELAUNCH),
                    c.lines(2, 5000), "a bare scalar is answered and the client carries on");
        }
    }

    @Test
    void aTooLongTextIsAnsweredAndSkipped() throws Exception {
        try (PseriesMachine m = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
                QmpServer server = QmpServer.start(new QmpMonitor(new PseriesMonitored(m, true), true, () -> { }),
                        QmpEndpoint.parse("unix:" + dir.resolve("l.sock") + ",server=on,wait=off"), QmpServer.Transport.AUTO);
                QmpTestClient c = new QmpTestClient(server.localAddress())) {
            c.line();
            c.send("{\"execute\":\"qmp_capabilities\",\"id\":\"" + "x".repeat(QmpServer.MAX_TEXT + 10) + "\"}");
            String answer = c.line();
            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, input exceeds " + QmpServer.MAX_TEXT
                    + " bytes\"}}", answer.substring(0, Math.min(200, answer.length())));
            assertEquals("{\"return\": {}}", c.execute("{\"execute\":\"qmp_capabilities\"}"), "the client carries on");
        }
    }
}
