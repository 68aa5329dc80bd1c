package org.jvmm.qmp;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The monitor's command-line options, mixed into {@code ./vmm}: {@code -qmp} (repeatable) and
 * {@code -S}.
 */
public final class MonitorOptions {
    @Option(names = "-qmp", paramLabel = "unix:PATH,server=on,wait=off|tcp:HOST:PORT,server=on,wait=off",
            description = "Serve a QMP monitor on a Unix socket or a TCP port (no host: loopback only). Repeatable.")
    List<String> qmp = new ArrayList<>();

    @Option(names = "-S", description = "Start with the vCPU stopped, until the monitor's cont (needs -qmp).")
    boolean startPaused;

    /** True when a monitor was asked for. */
    public boolean active() {
        return !qmp.isEmpty();
    }

    public boolean startPaused() {
        return startPaused;
    }

    /**
     * The endpoints, parsed; -S without -qmp refused.
     *
     * @throws IllegalArgumentException naming the option and value
     */
    public List<QmpEndpoint> endpoints() {
        if (startPaused && qmp.isEmpty()) {
            throw new IllegalArgumentException("-S: the machine would never start: give a -qmp monitor to send cont");
        }
        return qmp.stream().map(QmpEndpoint::parse).toList();
    }
}
