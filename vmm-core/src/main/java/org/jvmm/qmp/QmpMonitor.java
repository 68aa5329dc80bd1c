package org.jvmm.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The QMP command engine, as QEMU 7.2 speaks the protocol (docs/interop/qmp-spec.txt,
 * monitor/qmp.c, qapi/qmp-dispatch.c), apart from any transport: {@link QmpServer} feeds it one
 * framed JSON text at a time per client ({@link #input}); answers and events go out through each
 * client's {@link Sink}, one line each.
 *
 * <ul>
 * <li>A new client gets the greeting and may only run {@code qmp_capabilities} (anything else:
 *     CommandNotFound "Expecting capabilities negotiation with 'qmp_capabilities'"); a second
 *     negotiation is refused ("Capabilities negotiation is already complete, command ignored").</li>
 * <li>The input object is checked member by member as QEMU checks it; {@code id}, of any JSON type,
 *     is echoed in the answer.</li>
 * <li>Events (STOP, RESUME, RESET, POWERDOWN, SHUTDOWN, DEVICE_DELETED) go to every negotiated
 *     client, with a {@code timestamp} of seconds and microseconds; an event a command causes is
 *     written before the command's answer, as QEMU does.</li>
 * </ul>
 * Commands run one at a time under the monitor's lock (QEMU's big lock); events may come from any
 * thread.
 */
public final class QmpMonitor {
    /** Where a client's lines go. */
    public interface Sink {
        /** Writes one JSON text and a newline. */
        void send(String line);
    }

    /** One connected client. */
    public static final class Session {
        private final Sink sink;
        private boolean negotiated;

        Session(Sink sink) {
            this.sink = sink;
        }

        public boolean negotiated() {
            return negotiated;
        }
    }

    @FunctionalInterface
    private interface Command {
        /** The answer: a JSON value, or a {@link Reply}. */
        Object run(Session s, QmpArgs args);
    }

    /** jvmm's version, reported where QEMU reports its own. */
    public static final int[] VERSION = {0, 1, 0};
    public static final String PACKAGE = "jvmm 0.1.0";

    private final MonitoredMachine machine;
    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final Runnable onQuit;
    private volatile Consumer<String> commandLog = QmpMonitor::journal;
    private RunState state;

    /**
     * @param startPaused true for -S: the state is prelaunch until the first cont
     * @param onQuit runs after quit's answer is written: the owner stops the machine and the server
     */
    public QmpMonitor(MonitoredMachine machine, boolean startPaused, Runnable onQuit) {
        this.machine = machine;
        this.onQuit = onQuit;
        this.state = startPaused ? RunState.PRELAUNCH : RunState.RUNNING;
        register();
    }

    private static void journal(String commandAndOutcome) {
        if (org.jvmm.journal.Journal.on(org.jvmm.journal.JournalCategory.QMP)) {
            int sp = commandAndOutcome.lastIndexOf(' ');
            org.jvmm.journal.Journal.record(org.jvmm.journal.JournalCategory.QMP, commandAndOutcome.substring(0, sp), 0, 0, 0, 0,
                    commandAndOutcome.substring(sp + 1));
        }
    }

    /** Sees the name and outcome of every command run ("query-status ok", "device_del DeviceNotFound"). */
    public void commandLog(Consumer<String> log) {
        this.commandLog = c -> {
            journal(c);
            log.accept(c);
        };
    }

    public synchronized RunState state() {
        return state;
    }

    /** The commands, in query-commands order. */
    public List<String> commandNames() {
        return List.copyOf(commands.keySet());
    }

    /** A client connected: it gets the greeting. */
    public Session open(Sink sink) {
        Session s = new Session(sink);
        sessions.add(s);
        ObjectNode version = QmpJson.object();
        version.set("qemu", versionTriple());
        version.put("package", PACKAGE);
        ObjectNode qmp = QmpJson.object();
        qmp.set("version", version);
        qmp.putArray("capabilities").add("oob");
        ObjectNode greeting = QmpJson.object();
        greeting.set("QMP", qmp);
        sink.send(QmpJson.write(greeting));
        return s;
    }

    /** A client went away. */
    public void close(Session s) {
        sessions.remove(s);
    }

    /** One JSON text a client sent (framed by the transport), answered on its sink. */
    public void input(Session s, String text) {
        JsonNode request;
        try {
            request = QmpJson.parse(text);
        } catch (JsonProcessingException e) {
            s.sink.send(QmpJson.write(error(null, QmpError.generic(QmpJson.parseError(text, e)))));
            return;
        }
        Runnable after;
        ObjectNode answer;
        synchronized (this) {
            List<Runnable> later = new ArrayList<>();
            answer = dispatch(s, request, later);
            after = later.isEmpty() ? null : () -> later.forEach(Runnable::run);
        }
        s.sink.send(QmpJson.write(answer));
        if (after != null) {
            after.run();
        }
    }

    /** A JSON text the transport could not frame (a bare scalar, bytes that are not JSON). */
    public void unframed(Session s, String desc) {
        s.sink.send(QmpJson.write(error(null, QmpError.generic(desc))));
    }

    private ObjectNode dispatch(Session s, JsonNode request, List<Runnable> later) {
        JsonNode id = request.isObject() ? request.get("id") : null;
        String name = null;
        try {
            if (!request.isObject()) {
                throw QmpError.generic("QMP input must be a JSON object");
            }
            boolean oob = false;
            JsonNode arguments = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = request.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> m = it.next();
                switch (m.getKey()) {
                    case "execute", "exec-oob" -> {
                        if (!m.getValue().isTextual()) {
                            throw QmpError.generic("QMP input member '" + m.getKey() + "' must be a string");
                        }
                        if (name != null) {
                            throw QmpError.generic("QMP input must not have both 'execute' and 'exec-oob'");
                        }
                        name = m.getValue().textValue();
                        oob = m.getKey().equals("exec-oob");
                    }
                    case "arguments" -> {
                        if (!m.getValue().isObject()) {
                            throw QmpError.generic("QMP input member 'arguments' must be an object");
                        }
                        arguments = m.getValue();
                    }
                    case "id" -> { }
                    default -> throw QmpError.generic("QMP input member '" + m.getKey() + "' is unexpected");
                }
            }
            if (name == null) {
                throw QmpError.generic("QMP input lacks member 'execute'");
            }
            Command c = s.negotiated || name.equals("qmp_capabilities") ? commands.get(name) : null;
            if (c == null) {
                throw s.negotiated ? QmpError.commandNotFound(name)
                        : new QmpError(QmpError.ErrorClass.CommandNotFound, "Expecting capabilities negotiation with 'qmp_capabilities'");
            }
            if (oob) {
                throw QmpError.generic("The command " + name + " does not support OOB");
            }
            QmpArgs args = new QmpArgs(arguments == null ? QmpJson.object() : (ObjectNode) arguments);
            Object out = c.run(s, args);
            JsonNode result;
            if (out instanceof Reply r) {
                later.add(r.after());
                result = r.result();
            } else {
                result = (JsonNode) out;
            }
            commandLog.accept(name + " ok");
            ObjectNode answer = QmpJson.object();
            answer.set("return", result);
            if (id != null) {
                answer.set("id", id);
            }
            return answer;
        } catch (QmpError e) {
            commandLog.accept((name == null ? "(input)" : name) + " " + e.errorClass());
            return error(id, e);
        } catch (RuntimeException e) {
            // a VMM bug must not take the monitor down: answered as QEMU answers an internal failure
            commandLog.accept((name == null ? "(input)" : name) + " GenericError");
            return error(id, QmpError.generic(name + ": " + e.getMessage()));
        }
    }

    private static ObjectNode error(JsonNode id, QmpError e) {
        ObjectNode answer = QmpJson.object();
        if (id != null) {
            answer.set("id", id);
        }
        ObjectNode err = answer.putObject("error");
        err.put("class", e.errorClass().name());
        err.put("desc", e.desc());
        return answer;
    }

    /** An event to every negotiated client: {@code {"timestamp": ..., "event": name, "data": data}}. */
    public void event(String name, ObjectNode data) {
        Instant now = Instant.now();
        ObjectNode e = QmpJson.object();
        ObjectNode ts = e.putObject("timestamp");
        ts.put("seconds", now.getEpochSecond());
        ts.put("microseconds", now.getNano() / 1000);
        e.put("event", name);
        if (data != null) {
            e.set("data", data);
        }
        String line = QmpJson.write(e);
        for (Session s : sessions) {
            if (s.negotiated) {
                s.sink.send(line);
            }
        }
    }

    /** The guest shut itself down (or the run ended): SHUTDOWN with guest true, state shutdown. */
    public void guestShutdown(String reason) {
        synchronized (this) {
            if (state == RunState.SHUTDOWN) {
                return;
            }
            state = RunState.SHUTDOWN;
        }
        event("SHUTDOWN", shutdownData(true, reason));
    }

    private static ObjectNode shutdownData(boolean guest, String reason) {
        ObjectNode d = QmpJson.object();
        d.put("guest", guest);
        d.put("reason", reason);
        return d;
    }

    /** A command's answer and what to do once it is written (DEVICE_DELETED follows device_del's return). */
    private record Reply(JsonNode result, Runnable after) {
    }

    private static ObjectNode empty() {
        return QmpJson.object();
    }

    private static ObjectNode versionTriple() {
        ObjectNode q = QmpJson.object();
        q.put("micro", VERSION[2]);
        q.put("minor", VERSION[1]);
        q.put("major", VERSION[0]);
        return q;
    }

    private void register() {
        commands.put("qmp_capabilities", (s, a) -> {
            List<String> enable = a.optStrings("enable");
            a.done();
            if (enable != null) {
                for (String cap : enable) {
                    if (!cap.equals("oob")) {
                        throw QmpError.generic("Parameter 'null' does not accept value '" + cap + "'");
                    }
                }
            }
            if (s.negotiated) {
                throw new QmpError(QmpError.ErrorClass.CommandNotFound, "Capabilities negotiation is already complete, command ignored");
            }
            s.negotiated = true;
            return empty();
        });
        commands.put("query-version", (s, a) -> {
            a.done();
            ObjectNode r = QmpJson.object();
            r.set("qemu", versionTriple());
            r.put("package", PACKAGE);
            return r;
        });
        commands.put("query-commands", (s, a) -> {
            a.done();
            ArrayNode r = QmpJson.NODES.arrayNode();
            commands.keySet().forEach(n -> r.addObject().put("name", n));
            return r;
        });
        commands.put("query-status", (s, a) -> {
            a.done();
            ObjectNode r = QmpJson.object();
            r.put("status", state.qapiName());
            r.put("singlestep", false);
            r.put("running", state.running());
            return r;
        });
        commands.put("query-name", (s, a) -> {
            a.done();
            return empty();
        });
        commands.put("query-kvm", (s, a) -> {
            a.done();
            ObjectNode r = QmpJson.object();
            r.put("enabled", machine.kvm());
            r.put("present", kvmPresent());
            return r;
        });
        commands.put("query-pci", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryPci());
        });
        commands.put("human-monitor-command", (s, a) -> {
            String line = a.string("command-line");
            Long cpu = a.optInt("cpu-index");
            a.done();
            if (cpu != null && cpu != 0) {
                throw QmpError.generic("Parameter 'cpu-index' expects a CPU number");
            }
            return QmpJson.NODES.textNode(hmp(line).replace("\r\n", "\n").replace("\n", "\r\n"));
        });
        commands.put("stop", (s, a) -> {
            a.done();
            if (state == RunState.RUNNING) {
                machine.pause();
                state = RunState.PAUSED;
                event("STOP", null);
            }
            return empty();
        });
        commands.put("cont", (s, a) -> {
            a.done();
            if (state == RunState.SHUTDOWN) {
                throw QmpError.generic("Resetting the Virtual Machine is required");
            }
            if (state != RunState.RUNNING) {
                machine.resume();
                state = RunState.RUNNING;
                event("RESUME", null);
            }
            return empty();
        });
        commands.put("system_reset", (s, a) -> {
            a.done();
            machine.reset();
            if (state != RunState.RUNNING) {
                state = RunState.PRELAUNCH; // QEMU (main_loop_should_exit): a reset while stopped waits for cont
            }
            event("RESET", shutdownData(false, "host-qmp-system-reset"));
            return empty();
        });
        commands.put("system_powerdown", (s, a) -> {
            a.done();
            event("POWERDOWN", null);
            machine.powerdown();
            return empty();
        });
        commands.put("quit", (s, a) -> {
            a.done();
            state = RunState.SHUTDOWN;
            event("SHUTDOWN", shutdownData(false, "host-qmp-quit"));
            return new Reply(empty(), onQuit);
        });
        commands.put("device_add", (s, a) -> {
            String driver = a.string("driver");
            String id = a.optString("id");
            Map<String, String> props = a.rest();
            if (!driver.equals("vfio-pci")) {
                throw QmpError.generic("'" + driver + "' is not a valid device model name");
            }
            machine.deviceAdd(driver, id, props);
            return empty();
        });
        commands.put("device_del", (s, a) -> {
            String id = a.string("id");
            a.done();
            machine.deviceDel(id);
            ObjectNode d = QmpJson.object();
            d.put("device", id);
            d.put("path", "/machine/peripheral/" + id);
            return new Reply(empty(), () -> event("DEVICE_DELETED", d));
        });
        commands.put("screendump", (s, a) -> {
            String file = a.string("filename");
            a.optString("device");
            String format = a.optString("format");
            a.done();
            machine.screendump(file, format == null ? "ppm" : format);
            return empty();
        });
        commands.put("x-query-iommu", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryIommu());
        });
        commands.put("x-query-tce", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryTce());
        });
        commands.put("x-query-pe", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryPe());
        });
        commands.put("x-query-dma", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryDma());
        });
        commands.put("x-query-irq", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryIrq());
        });
        if (machine.hasPartitionableEndpoints()) {
            commands.put("x-pe-freeze", (s, a) -> {
                long pe = pe(a);
                a.done();
                machine.peFreeze(pe);
                return empty();
            });
            commands.put("x-pe-recover", (s, a) -> {
                long pe = pe(a);
                a.done();
                machine.peRecover(pe);
                return empty();
            });
        }
        commands.put("x-query-faults", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryFaults());
        });
        commands.put("x-query-exits", (s, a) -> {
            a.done();
            return QmpJson.tree(machine.queryExits());
        });
    }

    private static long pe(QmpArgs a) {
        Long pe = a.optInt("pe");
        if (pe == null) {
            throw QmpError.generic("Parameter 'pe' is missing");
        }
        if (pe < 0 || pe > 0xffff_ffffL) {
            throw QmpError.generic("Parameter 'pe' expects uint32"); // QEMU's visitor: a negative value wraps past the range too
        }
        return pe;
    }

    private static final List<String> INFO = List.of(
            "info iommu  -- show the VFIO containers and their DMA mappings (jvmm)",
            "info mtree [-f] -- show memory tree (-f: dump flat view for address spaces)",
            "info pci  -- show PCI info");

    /** The human monitor's few commands; an unknown one is answered in text, as QEMU does. */
    private String hmp(String line) {
        String[] w = line.trim().split("\\s+");
        if (line.isBlank()) {
            return "";
        }
        if (!w[0].equals("info")) {
            return "unknown command: '" + line.trim() + "'\n";
        }
        if (w.length == 1) {
            return String.join("\n", INFO) + "\n";
        }
        return switch (w[1]) {
            case "mtree" -> {
                boolean flat = false;
                for (int i = 2; i < w.length; i++) {
                    if (w[i].equals("-f")) {
                        flat = true;
                    } else if (w[i].startsWith("-")) {
                        yield "info mtree: unsupported option " + w[i] + "\n";
                    }
                }
                yield machine.infoMtree(flat);
            }
            case "pci" -> machine.infoPci();
            case "iommu" -> machine.infoIommu();
            default -> "unknown command: '" + line.trim() + "'\n";
        };
    }

    private static boolean kvmPresent() {
        Path dev = Path.of(org.jvmm.kvm.linux.LinuxKvm.DEVICE);
        return Files.isReadable(dev) && Files.isWritable(dev);
    }
}
