package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfiouser.RawVfioUserClient.BAR0;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.vfiouser.VfioUserPayloads.DmaAccess;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DMA_MAP without an fd: the server keeps the range, and the edu's DMA into it becomes DMA_WRITE
 * (device to memory, the data in the command) and DMA_READ (memory to device, the data in the
 * client's reply) commands from the server, each at most the negotiated max_data_xfer_size, with
 * the server's own message ids; the client answers them while its register write waits. A
 * refused or malformed answer moves nothing into the device.
 */
@DisplayName("vfio-user server DMA without shared memory: the device's DMA becomes DMA_READ/DMA_WRITE messages to the client")
class VfioUserServerDmaByMessages {
    private static final long IOVA = 0x20_0000;
    private static final int RW = DmaMap.FLAG_READ | DmaMap.FLAG_WRITE;

    private EduDevice edu;
    private ExecutorService engine;
    private ServedHostRig host;
    private RawVfioUserClient client;
    private VfioUserServer server;
    private Thread thread;

    /** An edu wrapped for message DMA behind vfio-pci; its engine runs in the register write or on its own thread. */
    private void start(boolean engineThread, long maxDataXfer) throws Exception {
        engine = engineThread ? Executors.newSingleThreadExecutor() : null;
        edu = engine == null ? new EduDevice() : new EduDevice(ByteOrder.LITTLE_ENDIAN, engine);
        VfioUserDmaModel model = new VfioUserDmaModel(edu);
        host = new ServedHostRig(new HostMemoryRegistry(), model);
        VfioUserSocket[] s = VfioUserSocket.pair(8, 1 << 20);
        client = new RawVfioUserClient(s[0]);
        server = new VfioUserServer(host.device, host.container, s[1], 8, 1 << 16).dmaModel(model);
        thread = Thread.ofPlatform().name("vfio-user-server").start(server);
        client.negotiate(maxDataXfer);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        host.close();
        if (engine != null) {
            engine.shutdownNow();
        }
    }

    private void program(long iova, int count, boolean toRam) throws Exception {
        client.write(BAR0, toRam ? EduDevice.REG_DMA_SRC : EduDevice.REG_DMA_DST, 8, EduDevice.DMA_BUFFER_START);
        client.write(BAR0, toRam ? EduDevice.REG_DMA_DST : EduDevice.REG_DMA_SRC, 8, iova);
        client.write(BAR0, EduDevice.REG_DMA_COUNT, 8, count);
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + seed);
        }
        return b;
    }

    /** Reads the server's next command, which must be {@code cmd} at {@code address} for {@code count} bytes. */
    private VfioUserSocket.Message expectDma(VfioUserCommand cmd, long address, long count) throws Exception {
        VfioUserSocket.Message m = client.socket.receive();
        assertFalse(m.header().isReply(), "a command from the server");
        assertEquals(cmd.number(), m.header().command());
        assertEquals(new DmaAccess(address, count), DmaAccess.decode(m.payloadBuffer()));
        return m;
    }

    private void answerRead(VfioUserSocket.Message m, byte[] data) throws Exception {
        DmaAccess a = DmaAccess.decode(m.payloadBuffer());
        byte[] reply = a.withData(data);
        client.socket.send(VfioUserHeader.reply(m.header(), reply.length), reply);
    }

    private void answerWrite(VfioUserSocket.Message m) throws Exception {
        byte[] reply = DmaAccess.decode(m.payloadBuffer()).toBytes();
        client.socket.send(VfioUserHeader.reply(m.header(), reply.length), reply);
    }

    /**
     * Answers the server's DMA commands for one edu command until the register write's reply has
     * come too (with the engine on its own thread the two may come in either order): the data of
     * the DMA_WRITEs, in order. {@code data} answers the DMA_READs.
     */
    private byte[] serve(int writeId, VfioUserCommand dmaCmd, long iova, int count, int chunk, byte[] data) throws Exception {
        ByteBuffer got = ByteBuffer.allocate(count);
        boolean replied = false;
        int done = 0;
        int lastId = -1;
        while (!replied || done < count) {
            VfioUserSocket.Message m = client.socket.receive();
            if (m.header().isReply()) {
                assertEquals(writeId, m.header().messageId(), "the register write's reply");
                assertEquals(VfioUserCommand.REGION_WRITE.number(), m.header().command());
                client.ok(m);
                assertTrue(engine != null || done == count, "in the register write, the DMA comes before its reply");
                replied = true;
                continue;
            }
            int n = Math.min(chunk, count - done);
            assertEquals(dmaCmd.number(), m.header().command());
            assertEquals(new DmaAccess(iova + done, n), DmaAccess.decode(m.payloadBuffer()));
            assertTrue(m.header().messageId() != lastId, "each request its own message id");
            lastId = m.header().messageId();
            if (dmaCmd == VfioUserCommand.DMA_READ) {
                assertEquals(VfioUserHeader.SIZE + DmaAccess.SIZE, m.header().size(), "a DMA_READ carries no data");
                byte[] part = new byte[n];
                System.arraycopy(data, done, part, 0, n);
                answerRead(m, part);
            } else {
                ByteBuffer p = m.payloadBuffer();
                p.position(DmaAccess.SIZE);
                assertEquals(n, p.remaining());
                got.put(p);
                answerWrite(m);
            }
            done += n;
        }
        return got.array();
    }

    /** Memory to device by DMA_READs, then device to memory by DMA_WRITEs at another address: the same bytes. */
    private void roundTrip(int count, int chunk) throws Exception {
        client.ok(client.map(RW, 0, IOVA, 0x10000));
        byte[] data = pattern(count, 3);
        program(IOVA + 0x1000, count, false);
        int cmd = client.sendWrite(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN);
        serve(cmd, VfioUserCommand.DMA_READ, IOVA + 0x1000, count, chunk, data);
        waitFor(() -> edu.dmaBytesMoved() == count); // the engine finishes after the last answer
        program(IOVA + 0x8000, count, true);
        cmd = client.sendWrite(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
        assertArrayEquals(data, serve(cmd, VfioUserCommand.DMA_WRITE, IOVA + 0x8000, count, chunk, null));
        waitFor(() -> edu.dmaBytesMoved() == 2L * count);
        assertEquals(2L * count, edu.dmaBytesMoved());
        assertEquals(2L * ((count + chunk - 1) / chunk), server.dmaMessages());
    }

    private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 500 && !done.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void dmaInTheRegisterWriteIsAnsweredWhileTheWriteWaits() throws Exception {
        start(false, 1 << 20);
        roundTrip(256, 256);
    }

    @Test
    void transfersAreSplitAtTheNegotiatedMaxDataXferSize() throws Exception {
        start(false, 100);
        roundTrip(256, 100);
    }

    @Test
    void dmaFromTheDevicesOwnThreadWaitsForTheAnswerThatTheServingThreadReceives() throws Exception {
        start(true, 64);
        roundTrip(200, 64);
    }

    /**
     * The edu's own thread holds the device's lock while its DMA_READ waits for the answer; a
     * register read the client sends before answering waits for that lock on the command thread,
     * and the reader still takes the answer off the socket: the DMA completes, then the read is
     * served. (With one thread reading and serving, the read blocked the reader and the DMA timed
     * out after 10 s.)
     */
    @Test
    void registerAccessWhileTheDevicesThreadWaitsForItsDmaAnswerDoesNotBlockTheAnswer() throws Exception {
        start(true, 1 << 20);
        client.ok(client.map(RW, 0, IOVA, 0x1000));
        program(IOVA, 16, false);
        int run = client.sendWrite(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            VfioUserSocket.Message dma = null;
            boolean runReplied = false;
            while (dma == null) { // the write's reply and the DMA_READ, in either order
                VfioUserSocket.Message m = client.socket.receive();
                if (m.header().isReply()) {
                    assertEquals(run, m.header().messageId());
                    client.ok(m);
                    runReplied = true;
                } else {
                    dma = m;
                }
            }
            assertEquals(VfioUserCommand.DMA_READ.number(), dma.header().command());
            int read = client.send(VfioUserCommand.REGION_READ, RawVfioUserClient.access(EduDevice.REG_DMA_COUNT, BAR0, 8));
            answerRead(dma, pattern(16, 5));
            if (!runReplied) {
                client.ok(client.expectReply(run, VfioUserCommand.REGION_WRITE));
            }
            VfioUserSocket.Message m = client.expectReply(read, VfioUserCommand.REGION_READ);
            client.ok(m);
        });
        assertEquals(16, edu.dmaBytesMoved(), "the DMA finished before the register read got the lock");
        assertEquals(0, server.dmaFailures());
        assertEquals(1, server.dmaMessages());
    }

    @Test
    void refusedDmaReadMovesNothingIntoTheDevice() throws Exception {
        start(false, 1 << 20);
        client.ok(client.map(RW, 0, IOVA, 0x1000));
        program(IOVA, 16, false);
        int cmd = client.sendWrite(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN);
        VfioUserSocket.Message m = expectDma(VfioUserCommand.DMA_READ, IOVA, 16);
        client.socket.send(VfioUserHeader.errorReply(m.header(), 14), new byte[0]);
        client.ok(client.expectReply(cmd, VfioUserCommand.REGION_WRITE));
        assertEquals(0, edu.dmaBytesMoved());
        assertEquals(1, server.dmaFailures());
    }

    @Test
    void shortDmaReadAnswerMovesNothing() throws Exception {
        start(false, 1 << 20);
        client.ok(client.map(RW, 0, IOVA, 0x1000));
        program(IOVA, 16, false);
        int cmd = client.sendWrite(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN);
        answerRead(expectDma(VfioUserCommand.DMA_READ, IOVA, 16), new byte[8]);
        client.ok(client.expectReply(cmd, VfioUserCommand.REGION_WRITE));
        assertEquals(0, edu.dmaBytesMoved());
        assertEquals(1, server.dmaFailures());
    }

    @Test
    void clientGoingAwayMidDmaFailsTheDmaAndEndsTheServer() throws Exception {
        start(true, 1 << 20);
        client.ok(client.map(RW, 0, IOVA, 0x1000));
        program(IOVA, 16, false);
        client.sendWrite(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN);
        VfioUserSocket.Message m;
        do {
            m = client.socket.receive(); // the write's reply and the DMA_READ, in either order
        } while (m.header().isReply());
        assertEquals(VfioUserCommand.DMA_READ.number(), m.header().command());
        client.close(); // gone without answering
        thread.join(5000);
        assertFalse(thread.isAlive());
        waitFor(() -> server.dmaFailures() == 1);
        assertEquals(1, server.dmaFailures(), "the device thread's wait ended with a failure");
        assertEquals(0, edu.dmaBytesMoved());
        assertEquals(0, server.dmaRegionCount(), "the client's ranges are released");
    }

    @Test
    void deviceWriteIntoAReadOnlyRangeSendsNothingAndMovesNothing() throws Exception {
        start(false, 1 << 20);
        client.ok(client.map(DmaMap.FLAG_READ, 0, IOVA, 0x1000));
        program(IOVA, 16, true);
        client.write(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
        assertEquals(0, server.dmaMessages());
        assertEquals(0, edu.dmaBytesMoved());
    }

    @Test
    void dmaPastTheEndOfTheRangeSendsNothing() throws Exception {
        start(false, 1 << 20);
        client.ok(client.map(RW, 0, IOVA, 0x1000));
        program(IOVA + 0xff8, 16, true);
        client.write(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
        assertEquals(0, server.dmaMessages());
        assertEquals(0, edu.dmaBytesMoved());
    }

    @Test
    void withBusMasteringOffTheDeviceSendsNothing() throws Exception {
        start(false, 1 << 20);
        client.write(RawVfioUserClient.CONFIG, 4, 2, 0x02); // memory space only
        client.ok(client.map(RW, 0, IOVA, 0x1000));
        program(IOVA, 16, true);
        client.write(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
        assertEquals(0, server.dmaMessages());
        assertEquals(0, edu.dmaBytesMoved());
    }

    @Test
    void afterUnmapTheDmaIsNoLongerSentToTheClient() throws Exception {
        start(false, 1 << 20);
        client.ok(client.map(RW, 0, IOVA, 0x1000));
        client.ok(client.unmap(0, IOVA, 0x1000));
        program(IOVA, 16, true);
        client.write(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
        assertEquals(0, server.dmaMessages());
        assertEquals(0, edu.dmaBytesMoved(), "the IOMMU faults an unmapped address");
    }
}
