package org.jvmm.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qmp.PseriesMonitored;
import org.jvmm.qmp.QmpMonitor;
import org.jvmm.qtest.QtestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web view's JSON API without a browser, on a pseries machine driven by qtest (no KVM
 * needed): each answer is the QMP command's, actions need the token, and the monitor's events
 * arrive on the server-sent event stream.
 */
class WebViewJsonApiAnswersAsQmp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private PseriesMachine machine;
    private QtestSession guest;
    private WebView view;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        machine = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
        guest = new QtestSession(machine, new PrintStream(new ByteArrayOutputStream()));
        QmpMonitor monitor = new QmpMonitor(new PseriesMonitored(machine, false), false, () -> { });
        view = WebView.start(monitor, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        view.close();
        machine.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + view.port() + path);
    }

    @Test
    void statusIsQueryStatus() throws Exception {
        assertEquals("{\"status\":\"running\",\"singlestep\":false,\"running\":true}", get("/api/status").toString());
    }

    @Test
    void stopWithoutTheTokenIsRefusedAndChangesNothing() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/stop")).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(403, r.statusCode());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"stop: needs the token the VMM printed at start "
                + "(X-Jvmm-Token header)\"}}", r.body());
        assertEquals("running", get("/api/status").get("status").asText());
    }

    @Test
    void stopAndContWithTheTokenPauseAndResumeTheMachine() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/stop")).header("X-Jvmm-Token", view.token())
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{}", r.body());
        assertEquals("paused", get("/api/status").get("status").asText());
        send(HttpRequest.newBuilder(uri("/api/cont")).header("X-Jvmm-Token", view.token()).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals("running", get("/api/status").get("status").asText());
    }

    @Test
    void aDmaOutsideTheWindowShowsAsAFaultAndAStoppedPe() throws Exception {
        assertEquals("[]", get("/api/faults").toString());
        guest.execute("eeh enable");
        guest.execute("writeq 0x200081000080 0x80000000");
        guest.execute("writeq 0x200081000088 0x40000");
        guest.execute("writeq 0x200081000090 16");
        guest.execute("writeq 0x200081000098 1");
        JsonNode faults = get("/api/faults");
        assertEquals(1, faults.size(), faults.toString());
        assertEquals(0x80000000L, faults.get(0).get("iova").asLong());
        JsonNode iommu = get("/api/iommu");
        assertEquals("stopped", iommu.get("pe").get(0).get("state-name").asText(), iommu.toString());
        assertEquals(0x80000000L, iommu.get("tce").get(0).get("liobn").asLong());
    }

    private HttpResponse<String> post(String path, boolean withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
        if (withToken) {
            b.header("X-Jvmm-Token", view.token());
        }
        return send(b);
    }

    @Test
    void peFreezeAndRecoverAreXPeFreezeAndXPeRecover() throws Exception {
        guest.execute("eeh enable");
        int pe = get("/api/iommu").get("pe").get(0).get("pe").asInt();
        HttpResponse<String> r = post("/api/pe/" + pe + "/freeze", true);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{}", r.body());
        JsonNode frozen = get("/api/iommu").get("pe").get(0);
        assertEquals("stopped", frozen.get("state-name").asText(), frozen.toString());
        assertEquals(1, frozen.get("freezes").asInt());
        assertEquals("OK 0xffffffff", guest.execute("readl 0x200081000000"), "the guest's MMIO to the frozen PE");
        r = post("/api/pe/" + pe + "/recover", true);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{}", r.body());
        assertEquals("normal", get("/api/iommu").get("pe").get(0).get("state-name").asText());
        assertEquals("OK 0x10000ed", guest.execute("readl 0x200081000000"));
    }

    @Test
    void peFreezeWithoutTheTokenIsRefusedAndThePeStaysAsItWas() throws Exception {
        guest.execute("eeh enable");
        int pe = get("/api/iommu").get("pe").get(0).get("pe").asInt();
        HttpResponse<String> r = post("/api/pe/" + pe + "/freeze", false);
        assertEquals(403, r.statusCode());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"x-pe-freeze: needs the token the VMM printed at start "
                + "(X-Jvmm-Token header)\"}}", r.body());
        r = post("/api/pe/" + pe + "/recover", false);
        assertEquals(403, r.statusCode());
        assertEquals("normal", get("/api/iommu").get("pe").get(0).get("state-name").asText());
    }

    @Test
    void aPeTheMachineLacksGetsQmpsAnswer() throws Exception {
        guest.execute("eeh enable");
        int pe = get("/api/iommu").get("pe").get(0).get("pe").asInt();
        HttpResponse<String> r = post("/api/pe/4242/freeze", true);
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"x-pe-freeze: no PE 4242 on this machine (its PEs: " + pe
                + ")\"}}", r.body());
        r = post("/api/pe/x/recover", true);
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter type for 'pe', expected: integer\"}}",
                r.body());
        assertEquals("normal", get("/api/iommu").get("pe").get(0).get("state-name").asText());
    }

    @Test
    void dmaAndIrqAreXQueryDmaAndXQueryIrqAndEnterTheHistory() throws Exception {
        guest.execute("hcall 0x20 0x80000000 0x10000 0x200003");
        guest.execute("writeq 0x200081000080 0x10000");
        guest.execute("writeq 0x200081000088 0x40000");
        guest.execute("writeq 0x200081000090 16");
        guest.execute("writeq 0x200081000098 1");
        guest.execute("writel 0x200081000060 1");
        JsonNode dma = get("/api/dma");
        assertEquals("{\"to-memory\":0,\"from-memory\":16,\"devices\":[{\"device\":\"vfio-0001:01:00.0\",\"host\":\"0001:01:00.0\","
                + "\"to-memory\":0,\"from-memory\":16}]}", dma.toString());
        JsonNode irq = get("/api/irq");
        assertEquals("{\"msi\":0,\"intx\":1,\"devices\":[{\"device\":\"vfio-0001:01:00.0\",\"host\":\"0001:01:00.0\",\"msi\":0,"
                + "\"intx\":1,\"vectors\":[]}],\"sources\":[{\"irq\":4609,\"type\":\"lsi\",\"count\":1}]}", irq.toString());
        view.sample();
        JsonNode history = get("/api/history");
        JsonNode last = history.get(history.size() - 1);
        assertEquals(dma, last.get("dma"));
        assertEquals(irq, last.get("irq"));
        assertEquals(0, history.get(0).get("dma").get("from-memory").asLong(), "the first sample, taken at start");
    }

    @Test
    void machineShowsTheFlatViewAndTheEduOnPhb0() throws Exception {
        JsonNode m = get("/api/machine");
        assertTrue(m.get("mtree").asText().startsWith("FlatView #0\r\n AS \"memory\""), m.get("mtree").asText());
        assertEquals(0x11e8, m.get("pci").get(0).get("devices").get(0).get("id").get("device").asInt());
    }

    @Test
    void screenDumpWithoutADisplayAnswersQemusError() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/screen.png")));
        assertEquals(404, r.statusCode());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"There is no console to take a screendump from\"}}", r.body());
    }

    @Test
    void aStopArrivesOnTheEventStream() throws Exception {
        HttpResponse<java.io.InputStream> s = http.send(HttpRequest.newBuilder(uri("/api/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(s.body(), StandardCharsets.UTF_8))) {
            assertEquals("text/event-stream", s.headers().firstValue("content-type").orElse(""));
            send(HttpRequest.newBuilder(uri("/api/stop")).header("X-Jvmm-Token", view.token()).POST(HttpRequest.BodyPublishers.noBody()));
            String line;
            while ((line = in.readLine()) != null && !line.equals("event: qmp")) {
                // samples and comments
            }
            String data = in.readLine();
            assertTrue(data.startsWith("data: {\"timestamp\":"), data);
            assertEquals("STOP", JSON.readTree(data.substring(6)).get("event").asText());
        }
    }

    @Test
    void theWebOptionNamesABadValue() {
        assertEquals("-web localhost:80: the host 'localhost' is not a literal IP address",
                assertThrows(IllegalArgumentException.class, () -> WebOptions.parse("localhost:80")).getMessage());
        assertEquals("-web 127.0.0.1:x: the port 'x' is not a number",
                assertThrows(IllegalArgumentException.class, () -> WebOptions.parse("127.0.0.1:x")).getMessage());
        assertEquals("-web 127.0.0.1:70000: the port 70000 is outside 0-65535",
                assertThrows(IllegalArgumentException.class, () -> WebOptions.parse("127.0.0.1:70000")).getMessage());
        assertEquals(new WebOptions.Address("127.0.0.1", 8080, true), WebOptions.parse("127.0.0.1:8080"));
        assertEquals(new WebOptions.Address("0.0.0.0", 8080, false), WebOptions.parse("0.0.0.0:8080"));
    }
}
