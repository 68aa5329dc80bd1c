package org.jvmm.web;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jvmm.qmp.QmpMonitor;
import picocli.CommandLine.Option;

/** The web view's option, {@code -web HOST:PORT}, mixed into {@code ./vmm}, attached to its monitor. */
@picocli.CommandLine.Command(addMethodSubcommands = false) // a mixin: no method of it is a subcommand
public final class WebOptions {
    @Option(names = "-web", paramLabel = "HOST:PORT",
            description = "Serve a live web view of the machine on HOST:PORT (loopback, e.g. 127.0.0.1:8080; port 0: any free). "
                    + "Actions (stop, cont, PE freeze and recover) need the token printed at start.")
    String web;

    /** Makes the web view (when -web was given) a client of the run's monitor. */
    public void attachTo(org.jvmm.qmp.MonitorOptions monitor) {
        if (web != null) {
            parse(web);
            monitor.addClient(this::start);
        }
    }

    /** True when -web was given. */
    public boolean given() {
        return web != null;
    }

    /**
     * Starts the view over {@code monitor} when -web was given, printing its address and token on
     * {@code out} (and a warning for a non-loopback host); run the answer to close it when the run ends.
     *
     * @throws IllegalArgumentException naming -web and the value
     */
    public Runnable start(QmpMonitor monitor, PrintStream out) {
        if (web == null) {
            return () -> { };
        }
        Address a = parse(web);
        WebView v = WebView.start(monitor, a.host(), a.port());
        if (!a.loopback()) {
            out.println("jvmm: warning: -web " + web + " listens beyond this host: anyone who can reach it sees the machine");
        }
        out.println("jvmm: web view at http://" + a.host() + ":" + v.port() + "/?token=" + v.token());
        out.flush();
        return v::close;
    }

    /** A parsed -web value. */
    public record Address(String host, int port, boolean loopback) {
    }

    /**
     * Parses {@code HOST:PORT}; a literal address only (no name lookup).
     *
     * @throws IllegalArgumentException naming -web and the value
     */
    public static Address parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("-web " + value + ": give HOST:PORT, e.g. 127.0.0.1:8080");
        }
        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-web " + value + ": the port '" + value.substring(colon + 1) + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("-web " + value + ": the port " + port + " is outside 0-65535");
        }
        if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")) {
            throw new IllegalArgumentException("-web " + value + ": the host '" + host + "' is not a literal IP address");
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        try {
            return new Address(bare, port, InetAddress.getByName(bare).isLoopbackAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("-web " + value + ": the host '" + host + "' is not an IP address");
        }
    }
}
