package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve-device} with bad options or a socket path in use: exit status 2 and one line naming the property and value. */
@DisplayName("serve-device: bad options and a socket path in use are refused with exit status 2, naming the value")
class ServeDeviceRefusesBadOptionsAndPathsInUse {
    @TempDir
    Path dir;

    private static void refused(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
    }

    @Test
    void unknownModelIsRefusedNamingIt() {
        refused("serve-device: 'e1000' is not a device this can serve (edu, edu-pasid, ivshmem, msix-doorbell)",
                "serve-device", "e1000,socket=" + dir.resolve("s"));
    }

    @Test
    void socketIsRequired() {
        refused("serve-device edu: socket=PATH is required", "serve-device", "edu");
        refused("serve-device edu: socket= needs a path", "serve-device", "edu,socket=");
    }

    @Test
    void unknownPropertyAndSizeOnEduAreRefused() {
        refused("serve-device: Property 'edu.size' not found (known: socket)", "serve-device", "edu,size=1M,socket=" + dir.resolve("s"));
        refused("serve-device: Property 'ivshmem.host' not found (known: socket, size)", "serve-device",
                "ivshmem,host=0000:00:03.0,socket=" + dir.resolve("s"));
    }

    @Test
    void ivshmemSizeMustBeAPowerOfTwoFrom4KTo16G() {
        refused("serve-device ivshmem: size='3M' is not a power of two from 4K to 16G", "serve-device",
                "ivshmem,size=3M,socket=" + dir.resolve("s"));
        refused("serve-device ivshmem: size='lots' is not a size (e.g. 1M, 64K)", "serve-device",
                "ivshmem,size=lots,socket=" + dir.resolve("s"));
    }

    @Test
    void existingFileThatIsNotASocketIsRefusedAndKept() throws Exception {
        Path f = Files.writeString(dir.resolve("file"), "mine");
        refused("serve-device socket=" + f + ": the path exists and is not a socket; remove it or choose another path",
                "serve-device", "edu,socket=" + f);
        assertEquals("mine", Files.readString(f));
    }

    @Test
    void socketWithAServerListeningIsRefused() throws Exception {
        Path s = dir.resolve("live");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(s));
            refused("serve-device socket=" + s + ": a server is listening on it already", "serve-device", "edu,socket=" + s);
            assertTrue(Files.exists(s), "the live server's socket is left alone");
        }
    }

    @Test
    void tooLongPathIsRefusedWithItsLength() {
        String p = dir.resolve("x".repeat(120)).toString();
        refused("serve-device socket=" + p + ": a socket path is 1 to 107 bytes, this one is " + p.length(),
                "serve-device", "edu,socket=" + p);
    }
}
