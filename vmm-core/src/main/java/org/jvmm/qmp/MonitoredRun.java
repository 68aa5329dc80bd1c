package org.jvmm.qmp;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyMachine;

/**
 * Runs x86-toy under the monitor: builds the machine, serves each -qmp endpoint, waits for cont
 * when started with -S, runs the guest with the vCPU passing the monitor's gate, and ends with
 * SHUTDOWN (the guest's own, or the monitor's quit).
 */
public final class MonitoredRun {
    private MonitoredRun() {
    }

    /**
     * Runs a -qtest script on pseries under the monitor: with -S the script waits for cont; once
     * it is done, SHUTDOWN. Returns the exit status as {@code QtestLauncher} does.
     */
    public static int runPseries(MonitorOptions options, org.jvmm.machine.pseries.PseriesBuilder builder, String source,
            java.io.InputStream stdin, PrintStream out) throws IOException, InterruptedException {
        List<QmpEndpoint> endpoints = options.endpoints();
        java.io.InputStream script = source.equals("stdio") ? stdin : org.jvmm.qtest.QtestLauncher.openScript(source);
        List<QmpServer> servers = new ArrayList<>();
        Runnable webView = () -> { };
        try (script; org.jvmm.machine.pseries.PseriesMachine m = builder.build()) {
            PseriesMonitored pm = new PseriesMonitored(m, options.startPaused());
            QmpMonitor monitor = new QmpMonitor(pm, options.startPaused(), pm::resume);
            try {
                for (QmpEndpoint e : endpoints) {
                    servers.add(QmpServer.start(monitor, e, QmpServer.Transport.AUTO));
                }
                webView = options.startClient(monitor, out);
                pm.awaitRunnable();
                if (monitor.state() == RunState.SHUTDOWN) {
                    return 0;
                }
                int failed = new org.jvmm.qtest.QtestSession(m, out).run(script);
                monitor.guestShutdown("guest-shutdown");
                return failed == 0 ? 0 : 1;
            } finally {
                webView.run();
                for (QmpServer s : servers) {
                    s.close();
                }
            }
        }
    }

    /** Returns the exit status as the plain run does (0: the guest passed; quit: 0). */
    public static int runX86(MonitorOptions options, X86ToyBuilder builder, byte[] image, long argument, Duration limit,
            PrintStream out) throws IOException, InterruptedException {
        return runX86(options, builder, image, argument, limit, out, m -> { });
    }

    /** What the command line does with the machine after the summary (the mdev counters, -screendump). */
    @FunctionalInterface
    public interface AtExit {
        void report(X86ToyMachine machine) throws IOException;
    }

    /** As {@link #runX86(MonitorOptions, X86ToyBuilder, byte[], long, Duration, PrintStream)}, then {@code atExit}. */
    public static int runX86(MonitorOptions options, X86ToyBuilder builder, byte[] image, long argument, Duration limit,
            PrintStream out, AtExit atExit) throws IOException, InterruptedException {
        List<QmpEndpoint> endpoints = options.endpoints();
        X86ToyBuilder.X86Host host = builder.buildHost(new HostMemoryRegistry());
        List<QmpServer> servers = new ArrayList<>();
        Runnable webView = () -> { };
        try (X86ToyMachine m = builder.build(host)) {
            m.boot(image, argument);
            X86ToyMonitored mm = new X86ToyMonitored(m, host.platform(), options.startPaused());
            boolean[] quit = {false};
            QmpMonitor monitor = new QmpMonitor(mm, options.startPaused(), () -> {
                synchronized (quit) {
                    quit[0] = true;
                }
                m.requestStop("quit by the monitor");
                mm.resume();
            });
            try {
                for (QmpEndpoint e : endpoints) {
                    servers.add(QmpServer.start(monitor, e, QmpServer.Transport.AUTO));
                }
                webView = options.startClient(monitor, out);
                mm.awaitStart();
                synchronized (quit) {
                    if (quit[0]) {
                        return 0;
                    }
                }
                mm.runStarting();
                X86ToyMachine.RunResult r;
                try {
                    r = m.run(limit, mm::gate);
                } finally {
                    mm.runEnded();
                }
                synchronized (quit) {
                    if (quit[0]) {
                        return 0;
                    }
                }
                monitor.guestShutdown("guest-shutdown");
                out.flush();
                out.println();
                out.println("jvmm: " + r.stopReason()
                        + (r.exitStatus() != null ? " (status 0x" + Integer.toHexString(r.exitStatus()) + ")" : ""));
                out.print(m.summary().format());
                atExit.report(m);
                return r.exitedWith(1) ? 0 : 1;
            } finally {
                webView.run();
                for (QmpServer s : servers) {
                    s.close();
                }
            }
        }
    }
}
