package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** -qmp takes QEMU's unix: and tcp: server forms; anything else is refused naming -qmp and the value. */
class QmpEndpointRefusesWhatItDoesNotServe {
    @Test
    void unixAndTcpParse() {
        assertEquals(new QmpEndpoint(Path.of("/run/m.sock"), null, 0, false, "unix:/run/m.sock,server=on,wait=off"),
                QmpEndpoint.parse("unix:/run/m.sock,server=on,wait=off"));
        assertEquals(new QmpEndpoint(null, "127.0.0.1", 4444, false, "tcp::4444,server=on,wait=off"),
                QmpEndpoint.parse("tcp::4444,server=on,wait=off"), "no host: loopback");
        assertEquals(new QmpEndpoint(null, "0.0.0.0", 4444, true, "tcp:0.0.0.0:4444,server=on"),
                QmpEndpoint.parse("tcp:0.0.0.0:4444,server=on"), "an explicit address is taken; wait defaults to on as in QEMU");
    }

    @Test
    void otherFormsAreRefusedByName() {
        assertEquals("-qmp stdio: 'stdio' is not served by jvmm's monitor (use unix:PATH,server=on,wait=off or tcp:HOST:PORT,server=on,wait=off)",
                refused("stdio"));
        assertEquals("-qmp telnet:localhost:4444,server=on: 'telnet:' is not served by jvmm's monitor (use unix:PATH,server=on,wait=off"
                + " or tcp:HOST:PORT,server=on,wait=off)", refused("telnet:localhost:4444,server=on"));
        assertEquals("-qmp unix:/m.sock: jvmm serves the monitor only: give server=on", refused("unix:/m.sock"));
        assertEquals("-qmp unix:/m.sock,server=off: jvmm serves the monitor only: give server=on", refused("unix:/m.sock,server=off"));
        assertEquals("-qmp unix:/m.sock,server=on,nodelay=on: unknown option 'nodelay' (known: server, wait)",
                refused("unix:/m.sock,server=on,nodelay=on"));
        assertEquals("-qmp unix:/m.sock,server=yes: Parameter 'server' expects 'on' or 'off', not 'yes'", refused("unix:/m.sock,server=yes"));
        assertEquals("-qmp tcp:4444,server=on: tcp: needs HOST:PORT (HOST may be empty: loopback)", refused("tcp:4444,server=on"));
        assertEquals("-qmp tcp::70000,server=on: port 70000 is not from 0 to 65535", refused("tcp::70000,server=on"));
        assertEquals("-qmp tcp::x,server=on: port 'x' is not a number from 0 to 65535", refused("tcp::x,server=on"));
        assertEquals("-qmp unix:,server=on: unix: needs a socket path", refused("unix:,server=on"));
    }

    private static String refused(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> QmpEndpoint.parse(spec)).getMessage();
    }
}
