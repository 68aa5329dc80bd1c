package org.jvmm.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmm.qmp.QmpMonitor;

/**
 * The live web view: one page and a JSON API over a {@link QmpMonitor}. Every answer is a QMP
 * command run through the monitor as a client of its own (so the view and a QMP client see and
 * do the same things, under the same lock); the monitor's events and a sample of the exit, DMA
 * and interrupt counters every {@value #SAMPLE_MS} ms go to the page as server-sent events.
 *
 * <p>Reads need nothing; actions (POST) need the token printed at start in an
 * {@code X-Jvmm-Token} header. A QMP socket cannot be reached by a web page, an HTTP port can
 * (any page in the user's browser may POST to loopback), so the token stands in for the access a
 * QMP client gets by being able to open the socket at all.
 */
public final class WebView implements AutoCloseable {
    /** How often the exit, DMA and interrupt counters are sampled for the plots and pushed to the page. */
    public static final int SAMPLE_MS = 500;
    private static final int HISTORY = 240;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ASSETS = List.of("index.html", "app.js", "app.css");

    private final QmpMonitor monitor;
    private final Vertx vertx;
    private final String token;
    private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<ObjectNode> history = new ArrayDeque<>();
    private final AtomicLong ids = new AtomicLong();
    private final long started = System.nanoTime();
    private QmpMonitor.Session eventSession;
    private HttpServer server;

    private WebView(QmpMonitor monitor, Vertx vertx, String token) {
        this.monitor = monitor;
        this.vertx = vertx;
        this.token = token;
    }

    /**
     * Serves the view on {@code host:port} (port 0: any free one).
     *
     * @throws IllegalArgumentException naming -web when the address cannot be listened on
     */
    public static WebView start(QmpMonitor monitor, String host, int port) {
        byte[] t = new byte[16];
        new SecureRandom().nextBytes(t);
        Vertx vertx = Vertx.vertx();
        WebView v = new WebView(monitor, vertx, HexFormat.of().formatHex(t));
        try {
            v.server = vertx.createHttpServer().requestHandler(v.router()).listen(port, host)
                    .toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            vertx.close();
            throw new IllegalArgumentException("-web " + host + ":" + port + ": cannot listen (" + e.getCause().getMessage() + ")");
        } catch (InterruptedException e) {
            vertx.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("-web: interrupted while starting", e);
        }
        v.eventSession = monitor.open(v::onMonitorLine);
        monitor.input(v.eventSession, "{\"execute\":\"qmp_capabilities\"}");
        v.sample();
        vertx.setPeriodic(SAMPLE_MS, id -> vertx.executeBlocking(() -> {
            v.sample();
            return null;
        }));
        return v;
    }

    /** The port listened on. */
    public int port() {
        return server.actualPort();
    }

    /** The token actions need. */
    public String token() {
        return token;
    }

    private Router router() {
        Router r = Router.router(vertx);
        for (String a : ASSETS) {
            r.get("/" + a).handler(ctx -> asset(ctx, a));
        }
        r.get("/").handler(ctx -> asset(ctx, "index.html"));
        r.get("/api/status").blockingHandler(ctx -> json(ctx, call("query-status", null)));
        r.get("/api/machine").blockingHandler(ctx -> json(ctx, machine()));
        r.get("/api/iommu").blockingHandler(ctx -> json(ctx, iommu()));
        r.get("/api/exits").blockingHandler(ctx -> json(ctx, call("x-query-exits", null)));
        r.get("/api/faults").blockingHandler(ctx -> json(ctx, call("x-query-faults", null)));
        r.get("/api/dma").blockingHandler(ctx -> json(ctx, call("x-query-dma", null)));
        r.get("/api/irq").blockingHandler(ctx -> json(ctx, call("x-query-irq", null)));
        r.get("/api/history").blockingHandler(ctx -> json(ctx, history()));
        r.get("/api/display.png").blockingHandler(this::screen);
        r.get("/api/screen.png").blockingHandler(this::screen); // the first name of the same route
        r.get("/api/events").handler(this::events);
        r.post("/api/stop").blockingHandler(ctx -> action(ctx, "stop"));
        r.post("/api/cont").blockingHandler(ctx -> action(ctx, "cont"));
        r.post("/api/pe/:pe/freeze").blockingHandler(ctx -> action(ctx, "x-pe-freeze", peArgument(ctx)));
        r.post("/api/pe/:pe/recover").blockingHandler(ctx -> action(ctx, "x-pe-recover", peArgument(ctx)));
        return r;
    }

    /**
     * Runs one QMP command through the monitor and answers its "return" member, or an object with
     * its "error" member.
     */
    JsonNode call(String command, ObjectNode arguments) {
        String id = "web-" + ids.incrementAndGet();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        QmpMonitor.Session s = monitor.open(lines::add);
        try {
            monitor.input(s, "{\"execute\":\"qmp_capabilities\"}");
            ObjectNode req = JsonNodeFactory.instance.objectNode();
            req.put("execute", command);
            if (arguments != null) {
                req.set("arguments", arguments);
            }
            req.put("id", id);
            monitor.input(s, req.toString());
        } finally {
            monitor.close(s);
        }
        synchronized (lines) {
            for (String l : lines) {
                JsonNode n = parse(l);
                if (id.equals(n.path("id").asText(null))) {
                    if (n.has("error")) {
                        ObjectNode e = JsonNodeFactory.instance.objectNode();
                        e.set("error", n.get("error"));
                        return e;
                    }
                    return n.get("return");
                }
            }
        }
        throw new IllegalStateException("the monitor did not answer " + command);
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException("the monitor wrote text that is not JSON: " + line, e);
        }
    }

    private JsonNode machine() {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.set("status", call("query-status", null));
        m.set("mtree", call("human-monitor-command", hmp("info mtree -f")));
        m.set("pci", call("query-pci", null));
        return m;
    }

    private static ObjectNode hmp(String line) {
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        a.put("command-line", line);
        return a;
    }

    private JsonNode iommu() {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.set("iommu", call("x-query-iommu", null));
        m.set("tce", call("x-query-tce", null));
        m.set("pe", call("x-query-pe", null));
        return m;
    }

    private synchronized JsonNode history() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        history.forEach(a::add);
        return a;
    }

    /** Samples the exit, DMA and interrupt counters into the history and pushes the sample to every page. */
    void sample() {
        JsonNode exits = call("x-query-exits", null);
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("t-ms", (System.nanoTime() - started) / 1_000_000);
        s.set("exits", exits);
        s.set("dma", call("x-query-dma", null));
        s.set("irq", call("x-query-irq", null));
        s.set("status", call("query-status", null));
        synchronized (this) {
            history.addLast(s);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        push("sample", s.toString());
    }

    private void onMonitorLine(String line) {
        if (line.contains("\"event\"")) {
            push("qmp", line);
        }
    }

    private void push(String event, String data) {
        String frame = "event: " + event + "\ndata: " + data + "\n\n";
        for (HttpServerResponse r : streams) {
            r.write(frame);
        }
    }

    private void events(RoutingContext ctx) {
        HttpServerResponse r = ctx.response();
        r.setChunked(true);
        r.putHeader("content-type", "text/event-stream");
        r.putHeader("cache-control", "no-cache");
        r.write(": jvmm\n\n");
        streams.add(r);
        r.closeHandler(v -> streams.remove(r));
    }

    /** The PE number of the path as QMP's "pe" argument: a number when it is one, else the text (which QMP refuses). */
    private static ObjectNode peArgument(RoutingContext ctx) {
        String pe = ctx.pathParam("pe");
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        if (pe.matches("-?[0-9]{1,18}")) {
            a.put("pe", Long.parseLong(pe));
        } else {
            a.put("pe", pe);
        }
        return a;
    }

    private void action(RoutingContext ctx, String command) {
        action(ctx, command, null);
    }

    private void action(RoutingContext ctx, String command, ObjectNode arguments) {
        if (!token.equals(ctx.request().getHeader("X-Jvmm-Token"))) {
            ctx.response().setStatusCode(403).putHeader("content-type", "application/json")
                    .end("{\"error\":{\"class\":\"GenericError\",\"desc\":\"" + command
                            + ": needs the token the VMM printed at start (X-Jvmm-Token header)\"}}");
            return;
        }
        json(ctx, call(command, arguments));
    }

    private void screen(RoutingContext ctx) {
        Path f = null;
        try {
            f = Files.createTempFile("jvmm-screen", ".png");
            ObjectNode a = JsonNodeFactory.instance.objectNode();
            a.put("filename", f.toString());
            a.put("format", "png");
            JsonNode answer = call("screendump", a);
            if (answer != null && answer.has("error")) {
                ctx.response().setStatusCode(404).putHeader("content-type", "application/json").end(answer.toString());
                return;
            }
            ctx.response().putHeader("content-type", "image/png").putHeader("cache-control", "no-store")
                    .end(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(f)));
        } catch (IOException e) {
            ctx.response().setStatusCode(500).end("screendump: " + e.getMessage());
        } finally {
            if (f != null) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    private static void json(RoutingContext ctx, JsonNode n) {
        int status = n != null && n.isObject() && n.has("error") && n.size() == 1 ? 400 : 200;
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(n == null ? "null" : n.toString());
    }

    private static void asset(RoutingContext ctx, String name) {
        try (InputStream in = WebView.class.getResourceAsStream(name)) {
            if (in == null) {
                ctx.response().setStatusCode(404).end();
                return;
            }
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            ctx.response().putHeader("content-type", type)
                    .putHeader("content-security-policy", "default-src 'self'; img-src 'self' data:")
                    .end(io.vertx.core.buffer.Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            ctx.response().setStatusCode(500).end();
        }
    }

    @Override
    public void close() {
        if (eventSession != null) {
            monitor.close(eventSession);
        }
        for (HttpServerResponse r : streams) {
            r.end();
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // closing: nothing left to do
        }
    }
}
