package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jvmm.cli.Main;
import org.jvmm.vfiouser.VfioUserHeader;
import org.jvmm.vfiouser.VfioUserPayloads;
import org.jvmm.vfiouser.VfioUserSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vmm -device vfio-user-pci,socket=PATH} from the command line: the edu DMA guest runs
 * with the edu served over the socket; no socket, a path that is no socket, a socket nobody
 * listens on and a server that answers another major version are refused with exit status 2
 * and one line naming the option and what went wrong.
 */
@DisplayName("-device vfio-user-pci: runs the guest over the socket, or says why it cannot connect")
class VfioUserPciOptionConnectsOrSaysWhy {
    @TempDir
    Path dir;

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run vmm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String kernel() {
        return Path.of("images", "x86", "edu-dma.elf").toString();
    }

    @Test
    void eduDmaGuestRunsWithTheEduServedByServeDevice() throws Exception {
        try (ServeDeviceProcess server = new ServeDeviceProcess("edu", dir.resolve("edu.sock"))) {
            Run r = vmm("-device", "vfio-user-pci,socket=" + server.socket + ",addr=3", "-kernel", kernel());
            assertEquals(0, r.status(), r.err() + r.out());
            assertTrue(r.out().startsWith("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ\nedu-dma: PASS\n"), r.out());
            assertEquals("", r.err());
        }
    }

    private static void waitFor(Path sock) throws InterruptedException {
        for (int i = 0; i < 500 && !Files.exists(sock); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void missingSocketIsRefusedNamingIt() {
        Path sock = dir.resolve("nobody.sock");
        Run r = vmm("-device", "vfio-user-pci,socket=" + sock, "-kernel", kernel());
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -device vfio-user-pci,socket=" + sock + ": vfio-user socket " + sock
                + ": no such socket (is the server running?)\n", r.err());
    }

    @Test
    void pathThatIsNoSocketIsRefused() throws Exception {
        Path f = Files.writeString(dir.resolve("file"), "x");
        Run r = vmm("-device", "vfio-user-pci,socket=" + f, "-kernel", kernel());
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -device vfio-user-pci,socket=" + f + ": vfio-user socket " + f + ": not a socket\n", r.err());
    }

    @Test
    void socketNobodyListensOnIsConnectionRefused() throws Exception {
        Path sock = dir.resolve("stale.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(sock));
        }
        Run r = vmm("-device", "vfio-user-pci,socket=" + sock, "-kernel", kernel());
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -device vfio-user-pci,socket=" + sock + ": vfio-user socket " + sock
                + ": connection refused (no server is listening)\n", r.err());
    }

    @Test
    void serverOfAnotherMajorVersionIsRefused() throws Exception {
        Path sock = dir.resolve("v1.sock");
        Thread server = Thread.ofPlatform().start(() -> {
            try (VfioUserSocket s = VfioUserSocket.listenAndAccept(sock.toString(), 8, 1 << 20)) {
                VfioUserSocket.Message m = s.receive();
                byte[] v1 = new VfioUserPayloads.Version(1, 0, 8, 1 << 20).toBytes();
                s.send(VfioUserHeader.reply(m.header(), v1.length), v1);
                s.receive(); // until the client hangs up
            } catch (java.io.IOException e) {
                // the client closed
            }
        });
        waitFor(sock);
        Run r = vmm("-device", "vfio-user-pci,socket=" + sock, "-kernel", kernel());
        server.join(10_000);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -device vfio-user-pci,socket=" + sock + ": vfio-user socket " + sock
                + ": version negotiation failed: vfio-user VERSION: the server answered major 1\n", r.err());
    }

    @Test
    void socketIsRequiredAndUnknownPropertiesAreRefused() {
        Run r = vmm("-device", "vfio-user-pci,addr=3", "-kernel", kernel());
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -device vfio-user-pci,addr=3: Parameter 'socket' is missing\n", r.err());
        r = vmm("-device", "vfio-user-pci,socket=/x,host=0000:00:03.0", "-kernel", kernel());
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -device vfio-user-pci,socket=/x,host=0000:00:03.0: Property 'vfio-user-pci.host' not found"
                + " (known: socket, addr, x-no-mmap, x-dma-messages)\n", r.err());
    }
}
