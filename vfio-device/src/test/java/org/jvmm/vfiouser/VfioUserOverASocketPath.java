package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("vfio-user over a socket path: the server listens and accepts one client, which connects and drives the edu")
class VfioUserOverASocketPath {
    @TempDir
    Path dir;

    @Test
    void clientConnectsToTheListeningServerAndReadsTheEdu() throws Exception {
        String path = dir.resolve("edu.sock").toString();
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            CompletableFuture<VfioUserSocket> accepted =
                    CompletableFuture.supplyAsync(() -> {
                        try {
                            return VfioUserSocket.listenAndAccept(path, 8, 1 << 20);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            // The path appears at the server's bind(), before its listen(): until then a connect is
            // refused (ECONNREFUSED, errno 111), so the client tries again, as it does while the
            // path is missing.
            VfioUserSocket c = null;
            for (int i = 0; i < 400 && c == null; i++) {
                if (Files.exists(Path.of(path))) {
                    try {
                        c = VfioUserSocket.connect(path, 8, 1 << 20);
                    } catch (IOException e) {
                        if (!e.getMessage().endsWith("connect failed: errno 111")) {
                            throw e;
                        }
                        Thread.sleep(5);
                    }
                } else {
                    Thread.sleep(5);
                }
            }
            try (VfioUserSocket serverEnd = accepted.get();
                    VfioUserClient client = new VfioUserClient(c, m -> { })) {
                Thread t = Thread.ofPlatform().start(new VfioUserServer(rig.device, serverEnd, 8, 4096));
                client.negotiate(8, 1 << 20);
                client.regionWrite(7, 4, 2, 6);
                assertEquals(0x010000ed, client.regionRead(0, 0, 4));
                client.close();
                t.join(5000);
            }
        }
    }

    @Test
    void connectingWhereNobodyListensNamesThePathAndErrno() {
        String path = dir.resolve("nobody.sock").toString();
        IOException e = assertThrows(IOException.class, () -> VfioUserSocket.connect(path, 1, 4096));
        assertEquals("vfio-user connect " + path + ": connect failed: errno 2", e.getMessage());
    }

    @Test
    void aPathLongerThanSunPathIsRefusedByName() {
        String path = "/" + "x".repeat(107);
        IOException e = assertThrows(IOException.class, () -> VfioUserSocket.connect(path, 1, 4096));
        assertTrue(e.getMessage().startsWith("vfio-user connect: socket path must be 1 to 107 bytes: /xxx"), e.getMessage());
    }
}
