package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.vfiouser.VfioUserClient;
import org.jvmm.vfiouser.VfioUserCommand;
import org.jvmm.vfiouser.VfioUserHeader;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.jvmm.vfiouser.VfioUserPayloads.RegionInfo;
import org.jvmm.vfiouser.VfioUserSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vmm serve-device} as a second process, driven by a client in this one: the device's
 * registers over REGION_READ/WRITE, its DMA into this process's memory through DMA_MAP with a
 * memfd, ivshmem's shared memory mmapped from the fd the server sends; one line at listen,
 * connect and disconnect; the socket mode 0600 and removed at exit; --once ends after the first
 * client, SIGTERM ends it at any time.
 */
@DisplayName("serve-device in a second process: a client here drives its edu and ivshmem over the socket")
class ServeDeviceServesAClientInAnotherProcess {
    private static final int BAR0 = 0;
    private static final int CONFIG = 7;

    @TempDir
    Path dir;
    private Process server;
    private BufferedReader lines;

    @AfterEach
    void stop() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--sun-misc")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve-device"));
        cmd.addAll(List.of(args));
        server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    }

    private String line() throws Exception {
        String l = lines.readLine();
        assertTrue(l != null, "the server printed a line before it ended");
        return l;
    }

    private static long call(VfioUserSocket s, int id, VfioUserCommand cmd, byte[] payload, int... fds) throws Exception {
        s.send(VfioUserHeader.command(id, cmd, payload.length), payload, fds);
        VfioUserSocket.Message m = s.receive();
        assertEquals(id, m.header().messageId());
        assertFalse(m.header().isError(), cmd + " errno " + m.header().error());
        return m.payload().length;
    }

    @Test
    void eduDmaLandsInThisProcesssMemoryAndOnceEndsWithTheClient() throws Exception {
        Path sock = dir.resolve("edu.sock");
        start("edu,socket=" + sock, "--once");
        assertEquals("serve-device: edu listening on " + sock, line());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        HostMemoryRegistry mine = new HostMemoryRegistry();
        try (HostMapping ram = mine.allocate("client ram", 0x4000);
                VfioUserClient client = new VfioUserClient(VfioUserSocket.connect(sock.toString(), 8, 1 << 20), msg -> { })) {
            client.negotiate(8, 1 << 20);
            assertEquals("serve-device: client connected", line());
            client.regionWrite(CONFIG, 4, 2, 0x06); // memory space and bus mastering
            assertEquals(0x010000ed, client.regionRead(BAR0, 0, 4), "edu's identification register");
            client.regionWrite(BAR0, EduDevice.REG_FACTORIAL, 4, 5);
            assertEquals(120, client.regionRead(BAR0, EduDevice.REG_FACTORIAL, 4));
            client.close();
        }
        assertTrue(line().startsWith("serve-device: client gone"));
        assertEquals(0, server.waitFor(10, TimeUnit.SECONDS) ? server.exitValue() : -1, "--once ends after the first client");
        assertFalse(Files.exists(sock), "the socket is removed at exit");
    }

    @Test
    void dmaMapWithAMemfdSharesThisProcesssMemoryWithTheServedEdu() throws Exception {
        Path sock = dir.resolve("edu.sock");
        start("edu,socket=" + sock, "--once");
        line();
        HostMemoryRegistry mine = new HostMemoryRegistry();
        try (HostMapping ram = mine.allocate("client ram", 0x4000);
                VfioUserSocket s = VfioUserSocket.connect(sock.toString(), 8, 1 << 20)) {
            int id = 1;
            call(s, id++, VfioUserCommand.VERSION, new org.jvmm.vfiouser.VfioUserPayloads.Version(0, 1, 8, 1 << 20).toBytes());
            call(s, id++, VfioUserCommand.DMA_MAP, new DmaMap(DmaMap.SIZE, DmaMap.FLAG_READ | DmaMap.FLAG_WRITE, 0, 0x10_0000, 0x4000).toBytes(),
                    ram.memfd());
            call(s, id++, VfioUserCommand.REGION_WRITE, access(CONFIG, 4, 2, 0x06));
            ram.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0x100, 0x0123456789abcdefL);
            long[][] program = {
                {EduDevice.REG_DMA_SRC, 0x10_0100}, {EduDevice.REG_DMA_DST, EduDevice.DMA_BUFFER_START},
                {EduDevice.REG_DMA_COUNT, 8}, {EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN},
                {EduDevice.REG_DMA_SRC, EduDevice.DMA_BUFFER_START}, {EduDevice.REG_DMA_DST, 0x10_3000},
                {EduDevice.REG_DMA_COUNT, 8}, {EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM}};
            for (long[] w : program) {
                call(s, id++, VfioUserCommand.REGION_WRITE, access(BAR0, w[0], 8, w[1]));
            }
            assertEquals(0x0123456789abcdefL, ram.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0x3000),
                    "the edu in the other process read and wrote this process's memory");
        }
        assertTrue(line().startsWith("serve-device: client connected"));
        assertTrue(line().startsWith("serve-device: client gone"));
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, server.exitValue());
    }

    @Test
    void ivshmemSharedMemoryIsMmappedFromTheFdTheServerSends() throws Exception {
        Path sock = dir.resolve("ivshmem.sock");
        start("ivshmem,size=64K,socket=" + sock, "--once");
        assertEquals("serve-device: ivshmem listening on " + sock, line());
        try (VfioUserSocket s = VfioUserSocket.connect(sock.toString(), 8, 1 << 20)) {
            call(s, 1, VfioUserCommand.VERSION, new org.jvmm.vfiouser.VfioUserPayloads.Version(0, 1, 8, 1 << 20).toBytes());
            ByteBuffer q = ByteBuffer.allocate(RegionInfo.SIZE);
            new RegionInfo(64, 0, 2, 0, 0, 0).encode(q);
            s.send(VfioUserHeader.command(2, VfioUserCommand.DEVICE_GET_REGION_INFO, q.capacity()), q.array());
            VfioUserSocket.Message m = s.receive();
            RegionInfo r = RegionInfo.decode(m.payloadBuffer());
            assertEquals(RegionInfo.FLAG_MMAP, r.flags() & RegionInfo.FLAG_MMAP);
            assertEquals(64 << 10, r.size());
            assertEquals(1, m.fds().length);
            Syscalls sys = Syscalls.linux();
            long a = sys.mmap(64 << 10, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, m.fds()[0], r.offset());
            try {
                var shm = java.lang.foreign.MemorySegment.ofAddress(a).reinterpret(64 << 10);
                shm.set(ValueLayout.JAVA_INT_UNALIGNED, 0x40, 0x600dbeef);
                // the served ivshmem's BAR2 reads what this process wrote: the same memory
                call(s, 4, VfioUserCommand.REGION_WRITE, access(CONFIG, 4, 2, 0x02));
                byte[] read = access(2, 0x40, 4);
                s.send(VfioUserHeader.command(3, VfioUserCommand.REGION_READ, read.length), read);
                VfioUserSocket.Message got = s.receive();
                assertFalse(got.header().isError());
                assertArrayEquals(new byte[] {(byte) 0xef, (byte) 0xbe, 0x0d, 0x60},
                        java.util.Arrays.copyOfRange(got.payload(), 16, 20));
            } finally {
                sys.munmap(a, 64 << 10);
                sys.close(m.fds()[0]);
            }
        }
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, server.exitValue());
    }

    @Test
    void sigtermEndsTheServerAndRemovesTheSocket() throws Exception {
        Path sock = dir.resolve("edu.sock");
        start("edu,socket=" + sock);
        line();
        try (VfioUserClient client = new VfioUserClient(VfioUserSocket.connect(sock.toString(), 8, 1 << 20), msg -> { })) {
            client.negotiate(8, 1 << 20);
            assertEquals("serve-device: client connected", line());
            server.destroy(); // SIGTERM
            assertTrue(server.waitFor(10, TimeUnit.SECONDS), "SIGTERM ends the server");
            assertEquals(143, server.exitValue(), "the status its help gives for SIGTERM");
        }
        assertFalse(Files.exists(sock), "the socket is removed at exit");
    }

    @Test
    void clientsAreServedOneAtATimeAndEachFindsTheDeviceReset() throws Exception {
        Path sock = dir.resolve("edu.sock");
        start("edu,socket=" + sock);
        line();
        VfioUserClient first = new VfioUserClient(VfioUserSocket.connect(sock.toString(), 8, 1 << 20), msg -> { });
        first.negotiate(8, 1 << 20);
        assertEquals("serve-device: client connected", line());
        first.regionWrite(CONFIG, 4, 2, 0x02);
        first.regionWrite(BAR0, EduDevice.REG_LIVENESS, 4, 0x1234);
        assertEquals(~0x1234 & 0xffffffffL, first.regionRead(BAR0, EduDevice.REG_LIVENESS, 4));
        // a second client waits in the listen queue until the first goes
        VfioUserSocket waiting = VfioUserSocket.connect(sock.toString(), 8, 1 << 20);
        try (VfioUserClient second = new VfioUserClient(waiting, msg -> { })) {
            first.close();
            assertTrue(line().startsWith("serve-device: client gone"));
            second.negotiate(8, 1 << 20);
            assertEquals("serve-device: client connected", line());
            second.regionWrite(CONFIG, 4, 2, 0x02);
            assertEquals(0xffffffffL, second.regionRead(BAR0, EduDevice.REG_LIVENESS, 4),
                    "the device was reset when the first client went (liveness reads back inverted 0)");
        }
        assertTrue(line().startsWith("serve-device: client gone"));
        server.destroy();
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(sock));
    }

    @Test
    void sigintWhileWaitingForAClientEndsTheServerAndRemovesTheSocket() throws Exception {
        Path sock = dir.resolve("edu.sock");
        start("ivshmem,size=4K,socket=" + sock);
        assertEquals("serve-device: ivshmem listening on " + sock, line());
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(server.waitFor(10, TimeUnit.SECONDS), "SIGINT ends the server");
        assertFalse(Files.exists(sock), "the socket is removed at exit");
    }

    @Test
    void staleSocketLeftByAGoneServerIsReplaced() throws Exception {
        Path sock = dir.resolve("stale.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock), "closing leaves the path behind, as a killed server does");
        start("edu,socket=" + sock, "--once");
        assertEquals("serve-device: edu listening on " + sock, line());
        try (VfioUserClient client = new VfioUserClient(VfioUserSocket.connect(sock.toString(), 8, 1 << 20), msg -> { })) {
            client.negotiate(8, 1 << 20);
            client.regionWrite(CONFIG, 4, 2, 0x02);
            assertEquals(0x010000ed, client.regionRead(BAR0, 0, 4));
        }
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
    }

    private static byte[] access(int region, long offset, int count, long value) {
        ByteBuffer b = ByteBuffer.allocate(16 + count).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(offset).putInt(region).putInt(count);
        for (int i = 0; i < count; i++) {
            b.put((byte) (value >>> (8 * i)));
        }
        return b.array();
    }

    private static byte[] access(int region, long offset, int count) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(offset).putInt(region).putInt(count);
        return b.array();
    }
}
