package org.jvmm.qmp;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a {@code -qmp} monitor listens, parsed from QEMU's chardev spelling:
 * {@code unix:PATH,server=on,wait=off} or {@code tcp:HOST:PORT,server=on,wait=off}. A TCP monitor
 * without a host ({@code tcp::4444}) listens on the loopback address only (QEMU would take every
 * interface): a monitor drives the whole machine, so reaching it from elsewhere must be asked for by
 * naming the address. {@code wait=on} (QEMU's default) holds the start until a client connects.
 *
 * @param unixPath the socket's path, or null for TCP
 * @param host the TCP address to bind, or null for Unix
 * @param port the TCP port (0: any free port)
 * @param waitForClient wait=on
 * @param spec the text as given, for messages
 */
public record QmpEndpoint(Path unixPath, String host, int port, boolean waitForClient, String spec) {
    /**
     * Parses a -qmp value.
     *
     * @throws IllegalArgumentException naming -qmp, the value and what is wrong
     */
    public static QmpEndpoint parse(String spec) {
        String where = "-qmp " + spec;
        String[] parts = spec.split(",", -1);
        String address = parts[0];
        if (!address.startsWith("unix:") && !address.startsWith("tcp:")) {
            String kind = address.contains(":") ? address.substring(0, address.indexOf(':') + 1) : address;
            throw new IllegalArgumentException(where + ": '" + kind + "' is not served by jvmm's monitor (use unix:PATH,server=on,wait=off"
                    + " or tcp:HOST:PORT,server=on,wait=off)");
        }
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            String value = eq < 0 ? "on" : p.substring(eq + 1);
            if (!key.equals("server") && !key.equals("wait")) {
                throw new IllegalArgumentException(where + ": unknown option '" + key + "' (known: server, wait)");
            }
            if (!value.equals("on") && !value.equals("off")) {
                throw new IllegalArgumentException(where + ": Parameter '" + key + "' expects 'on' or 'off', not '" + value + "'");
            }
            opts.put(key, value);
        }
        if (!"on".equals(opts.get("server"))) {
            throw new IllegalArgumentException(where + ": jvmm serves the monitor only: give server=on");
        }
        boolean wait = !"off".equals(opts.get("wait"));
        if (address.startsWith("unix:")) {
            String path = address.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException(where + ": unix: needs a socket path");
            }
            return new QmpEndpoint(Path.of(path), null, 0, wait, spec);
        }
        if (address.startsWith("tcp:")) {
            String hostPort = address.substring("tcp:".length());
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": tcp: needs HOST:PORT (HOST may be empty: loopback)");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": port '" + hostPort.substring(colon + 1) + "' is not a number from 0 to 65535");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(where + ": port " + port + " is not from 0 to 65535");
            }
            return new QmpEndpoint(null, host.isEmpty() ? "127.0.0.1" : host, port, wait, spec);
        }
        throw new IllegalStateException("unreachable: " + address);
    }

    public boolean unix() {
        return unixPath != null;
    }
}
