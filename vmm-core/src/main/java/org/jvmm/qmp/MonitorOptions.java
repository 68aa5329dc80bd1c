package org.jvmm.qmp;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The monitor's and the journal's command-line options, mixed into {@code ./vmm}: {@code -qmp}
 * (repeatable), {@code -S} and {@code -journal}.
 */
@picocli.CommandLine.Command(addMethodSubcommands = false) // a mixin: no method of it is a subcommand
public final class MonitorOptions {
    @Option(names = "-qmp", paramLabel = "unix:PATH,server=on,wait=off|tcp:HOST:PORT,server=on,wait=off",
            description = "Serve a QMP monitor on a Unix socket or a TCP port (no host: loopback only). Repeatable.")
    List<String> qmp = new ArrayList<>();

    @Option(names = "-S", description = "Start with the vCPU stopped, until the monitor's cont (needs -qmp).")
    boolean startPaused;

    @Option(names = "-journal", paramLabel = "DIR[,categories=NAME,...]",
            description = "Append every trace event to a Chronicle Queue in DIR (categories: exit, mmio, hcall, dma, iommu, bar, "
                    + "irq, memslot, qmp, guest-error; default all). Read it with './vmm journal show|summary|verify DIR'.")
    String journal;

    /** Another client of the monitor started with it (the web view): given the monitor, answers its closer. */
    private java.util.function.BiFunction<QmpMonitor, java.io.PrintStream, Runnable> client;

    /** Serves {@code c} the monitor too (the web view's -web): the run is then monitored even without -qmp. */
    public void addClient(java.util.function.BiFunction<QmpMonitor, java.io.PrintStream, Runnable> c) {
        this.client = c;
    }

    /** Starts the client given with {@link #addClient} (if any); run the answer when the run ends. */
    Runnable startClient(QmpMonitor monitor, java.io.PrintStream out) {
        return client == null ? () -> { } : client.apply(monitor, out);
    }

    /**
     * Opens the -journal (if given) and records how the run was started; close it when the run ends.
     *
     * @throws IllegalArgumentException for a bad -journal value
     */
    public AutoCloseable openJournal(List<String> args, String qtest) throws java.io.IOException {
        if (journal == null) {
            return () -> { };
        }
        org.jvmm.journal.JournalOption j = org.jvmm.journal.JournalOption.parse(journal);
        j.open(args, qtest);
        return org.jvmm.journal.Journal::close;
    }

    /** True when a monitor was asked for. */
    public boolean active() {
        return !qmp.isEmpty() || client != null;
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
        if (startPaused && qmp.isEmpty() && client == null) {
            throw new IllegalArgumentException("-S: the machine would never start: give a -qmp monitor to send cont");
        }
        return qmp.stream().map(QmpEndpoint::parse).toList();
    }
}
