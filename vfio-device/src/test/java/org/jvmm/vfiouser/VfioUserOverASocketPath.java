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
            // The path appears only once the server listens (VfioUserSocket.bindAndListen), so the
            // client connects as soon as it sees it, and a refusal fails the test.
            for (int i = 0; i < 400 && !Files.exists(Path.of(path)); i++) {
                Thread.sleep(5);
            }
            VfioUserSocket c = VfioUserSocket.connect(path, 8, 1 << 20);
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
    void thePathAppearsOnlyOnceTheSocketListensAndNoOtherFileIsLeft() throws Exception {
        Path path = dir.resolve("late.sock");
        java.util.List<String> seen = new java.util.ArrayList<>();
        int s = VfioUserSocket.bindAndListen("socket=" + path, path.toString(), bound -> {
            seen.add(bound.getFileName().toString());
            seen.add(String.valueOf(Files.exists(path)));
            seen.add(String.valueOf(Files.exists(bound)));
        });
        try {
            // Between bind and listen the socket had another name in the same directory, and the
            // path did not exist yet.
            assertEquals(3, seen.size());
            assertTrue(seen.get(0).startsWith(".vfu-"), seen.get(0));
            assertEquals("false", seen.get(1));
            assertEquals("true", seen.get(2));
            try (var files = Files.list(dir)) {
                assertEquals(java.util.List.of(path), files.toList());
            }
            try (VfioUserSocket c = VfioUserSocket.connect(path.toString(), 1, 4096)) {
                assertTrue(c.fd() >= 0);
            }
        } finally {
            VfioUserSocket.closeAll(s);
        }
    }

    @Test
    void aPathCreatedMeanwhileIsLeftAloneAndTheListenFailsWithoutLeavingAFile() throws Exception {
        Path path = dir.resolve("taken.sock");
        IOException e = assertThrows(IOException.class, () -> VfioUserSocket.bindAndListen("socket=" + path,
                path.toString(), bound -> Files.writeString(path, "someone else's")));
        assertEquals("socket=" + path + ": the path was created by someone else meanwhile", e.getMessage());
        assertEquals("someone else's", Files.readString(path));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(path), files.toList());
        }
    }

    @Test
    void whereTheTemporaryNameWouldNotFitTheSocketIsBoundAtThePathItself() throws Exception {
        // A one-letter name in a directory whose path leaves room for it but not for ".vfu-" and
        // twelve hex digits.
        Path deep = dir;
        while (deep.toString().length() < 100) {
            deep = deep.resolve("d".repeat(Math.min(40, 100 - deep.toString().length())));
        }
        Files.createDirectories(deep);
        Path path = deep.resolve("s");
        java.util.List<Path> bound = new java.util.ArrayList<>();
        int s = VfioUserSocket.bindAndListen("socket=" + path, path.toString(), bound::add);
        try {
            assertEquals(java.util.List.of(path), bound);
            try (VfioUserSocket c = VfioUserSocket.connect(path.toString(), 1, 4096)) {
                assertTrue(c.fd() >= 0);
            }
        } finally {
            VfioUserSocket.closeAll(s);
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
