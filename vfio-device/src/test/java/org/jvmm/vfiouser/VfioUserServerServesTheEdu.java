package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmm.host.sys.EventFd;
import org.jvmm.testing.DeviceRig;
import org.jvmm.vfio.uapi.VfioUapi;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfiouser.VfioUserPayloads.RegionAccess;
import org.jvmm.vfiouser.VfioUserPayloads.Version;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vfio-user server: the edu behind vfio-pci served over a socketpair, each command and refusal as an errno reply")
class VfioUserServerServesTheEdu {
    private static final int BAR0 = 0;
    private static final int CONFIG = 7;
    private static final int EINVAL = 22;
    private static final int E2BIG = 7;
    private static final int EOPNOTSUPP = 95;

    private DeviceRig rig;
    private VfioUserSocket client;
    private VfioUserServer server;
    private Thread thread;
    private int nextId = 1;

    @BeforeEach
    void start() throws Exception {
        rig = new DeviceRig(Hosts.EDU);
        VfioUserSocket[] p = VfioUserSocket.pair(8, 1 << 20);
        client = p[0];
        server = new VfioUserServer(rig.device, p[1], 8, 4096);
        thread = Thread.ofPlatform().name("vfio-user-server").start(server);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        rig.close();
        VfioUserSocket.closeAll(server.keptDescriptors());
    }

    private VfioUserSocket.Message call(VfioUserCommand cmd, byte[] payload) throws Exception {
        int id = nextId++;
        client.send(VfioUserHeader.command(id, cmd, payload.length), payload);
        VfioUserSocket.Message m = client.receive();
        assertEquals(id, m.header().messageId(), "the reply echoes the message id");
        assertEquals(cmd.number(), m.header().command(), "the reply echoes the command");
        assertTrue(m.header().isReply());
        return m;
    }

    /** PCI command register: memory space on, as a driver sets it before touching a BAR. */
    private void enableMemory() throws Exception {
        VfioUserSocket.Message m = call(VfioUserCommand.REGION_WRITE, access(4, CONFIG, 2, (byte) 0x06, (byte) 0));
        assertFalse(m.header().isError(), "error " + m.header().error());
    }

    private void negotiate() throws Exception {
        VfioUserSocket.Message m = call(VfioUserCommand.VERSION, new Version(0, 1, 16, 1 << 20).toBytes());
        assertFalse(m.header().isError());
        assertEquals(new Version(0, 1, 8, 4096), Version.decode(m.payloadBuffer()),
                "each capability is the smaller of the two offers");
        enableMemory();
    }

    private static byte[] access(long offset, int region, int count, byte... data) {
        ByteBuffer b = ByteBuffer.allocate(RegionAccess.SIZE + data.length);
        new RegionAccess(offset, region, count).encode(b);
        b.put(data);
        return b.array();
    }

    private int read32(int region, long offset) throws Exception {
        VfioUserSocket.Message m = call(VfioUserCommand.REGION_READ, access(offset, region, 4));
        assertFalse(m.header().isError(), "error " + m.header().error());
        ByteBuffer p = m.payloadBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(new RegionAccess(offset, region, 4), RegionAccess.decode(p));
        return p.getInt();
    }

    private static void assertErrno(int errno, VfioUserSocket.Message m) {
        assertTrue(m.header().isError(), "an error reply");
        assertEquals(errno, m.header().error());
        assertEquals(VfioUserHeader.SIZE, m.header().size(), "an error reply has no payload");
    }

    @Test
    void commandBeforeVersionIsRefusedWithEinval() throws Exception {
        assertErrno(EINVAL, call(VfioUserCommand.DEVICE_GET_INFO, new byte[16]));
        negotiate();
        assertEquals(0x010000ed, read32(BAR0, 0));
    }

    @Test
    void majorVersionOtherThanZeroIsRefusedAndLeavesNegotiationOpen() throws Exception {
        assertErrno(EOPNOTSUPP, call(VfioUserCommand.VERSION, new Version(1, 0, 1, 4096).toBytes()));
        assertErrno(EINVAL, call(VfioUserCommand.DEVICE_RESET, new byte[0]));
        negotiate();
        assertErrno(EINVAL, call(VfioUserCommand.VERSION, new Version(0, 1, 1, 4096).toBytes()));
    }

    @Test
    void deviceInfoIsTheVfioDevicesAnswer() throws Exception {
        negotiate();
        VfioUserSocket.Message m = call(VfioUserCommand.DEVICE_GET_INFO, new byte[16]);
        DeviceInfo expected = rig.device.getInfo();
        assertEquals(new VfioUserPayloads.DeviceInfo(16, expected.flags(), 9, expected.numIrqs()),
                VfioUserPayloads.DeviceInfo.decode(m.payloadBuffer()));
    }

    @Test
    void regionInfoOfBar0IsOneMegabyteReadWriteWithoutMmapYet() throws Exception {
        negotiate();
        ByteBuffer q = ByteBuffer.allocate(32);
        new VfioUserPayloads.RegionInfo(32, 0, BAR0, 0, 0, 0).encode(q);
        VfioUserSocket.Message m = call(VfioUserCommand.DEVICE_GET_REGION_INFO, q.array());
        assertEquals(new VfioUserPayloads.RegionInfo(32, 3, BAR0, 0, 1 << 20, 0),
                VfioUserPayloads.RegionInfo.decode(m.payloadBuffer()));
    }

    @Test
    void regionReadsAndWritesReachTheEdu() throws Exception {
        negotiate();
        assertEquals(0x11e81234, read32(CONFIG, 0), "vendor 1234, device 11e8 in config space");
        assertEquals(0x010000ed, read32(BAR0, 0), "edu identification register");
        VfioUserSocket.Message w = call(VfioUserCommand.REGION_WRITE, access(4, BAR0, 4, (byte) 0x78, (byte) 0x56, (byte) 0x34, (byte) 0x12));
        assertFalse(w.header().isError());
        assertEquals(new RegionAccess(4, BAR0, 4), RegionAccess.decode(w.payloadBuffer()));
        assertEquals(0xedcba987, read32(BAR0, 4), "the liveness register answers the inverse");
    }

    @Test
    void accessesOutsideTheRegionOrOverTheTransferSizeAreEinval() throws Exception {
        negotiate();
        assertErrno(EINVAL, call(VfioUserCommand.REGION_READ, access((1 << 20) - 2, BAR0, 4)));
        assertErrno(EINVAL, call(VfioUserCommand.REGION_READ, access(-4L, BAR0, 8)));
        assertErrno(EINVAL, call(VfioUserCommand.REGION_READ, access(0, BAR0, 4097)));
        assertErrno(EINVAL, call(VfioUserCommand.REGION_WRITE, access(4, BAR0, 4, (byte) 1)));
        assertErrno(EINVAL, call(VfioUserCommand.REGION_READ, new byte[15]));
        assertEquals(0x010000ed, read32(BAR0, 0), "the server keeps serving");
    }

    @Test
    void messageOverTheSizeLimitIsE2bigAndTheNextIsServed() throws Exception {
        negotiate();
        assertErrno(E2BIG, call(VfioUserCommand.REGION_WRITE, access(0, BAR0, 8192, new byte[8192])));
        assertEquals(0x010000ed, read32(BAR0, 0));
    }

    @Test
    void unservedCommandsAreEopnotsupp() throws Exception {
        negotiate();
        assertErrno(EOPNOTSUPP, call(VfioUserCommand.DMA_READ, new byte[16]));
        client.send(new VfioUserHeader(99, 200, 16, 0, 0), new byte[0]);
        VfioUserSocket.Message m = client.receive();
        assertEquals(99, m.header().messageId());
        assertErrno(EOPNOTSUPP, m);
    }

    @Test
    void resetIsAnsweredWithAnEmptyReplyAndRestoresTheEdu() throws Exception {
        negotiate();
        call(VfioUserCommand.REGION_WRITE, access(4, BAR0, 4, (byte) 1, (byte) 0, (byte) 0, (byte) 0));
        VfioUserSocket.Message m = call(VfioUserCommand.DEVICE_RESET, new byte[0]);
        assertFalse(m.header().isError());
        assertEquals(VfioUserHeader.SIZE, m.header().size());
        enableMemory();
        assertEquals(-1, read32(BAR0, 4), "liveness is 0 after reset, read back inverted");
    }

    private VfioUserSocket.Message setIrqs(int flags, int index, int count, int... fds) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(VfioUserPayloads.SetIrqs.SIZE);
        new VfioUserPayloads.SetIrqs(20, flags, index, 0, count).encode(b);
        int id = nextId++;
        client.send(VfioUserHeader.command(id, VfioUserCommand.DEVICE_SET_IRQS, b.capacity()), b.array(), fds);
        VfioUserSocket.Message m = client.receive();
        assertEquals(id, m.header().messageId());
        return m;
    }

    @Test
    void setIrqsWithAnEventfdDeliversTheEdusMsiToTheClientsEventfd() throws Exception {
        negotiate();
        try (EventFd msi = EventFd.create()) {
            VfioUserSocket.Message m = setIrqs(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER | VfioUapi.VFIO_IRQ_SET_DATA_EVENTFD,
                    VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 1, msi.fd());
            assertFalse(m.header().isError(), "error " + m.header().error());
            assertEquals(VfioUserHeader.SIZE, m.header().size());
            call(VfioUserCommand.REGION_WRITE, access(0x60, BAR0, 4, (byte) 1, (byte) 0, (byte) 0, (byte) 0));
            long count = 0;
            for (int i = 0; i < 200 && count == 0; i++) {
                count = msi.readCount();
                if (count == 0) {
                    Thread.sleep(5);
                }
            }
            assertEquals(1, count, "one MSI for one INTR_RAISE write");
        }
    }

    @Test
    void setIrqsWithFewerEventfdsThanVectorsIsEinval() throws Exception {
        negotiate();
        try (EventFd e = EventFd.create()) {
            assertErrno(EINVAL, setIrqs(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER | VfioUapi.VFIO_IRQ_SET_DATA_EVENTFD,
                    VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 2, e.fd()));
            assertEquals(0, server.keptDescriptors().length, "the refused descriptor was closed, not kept");
        }
    }

    @Test
    void setIrqsReplacingAVectorsEventfdClosesTheOldOneAndADisableClosesAll() throws Exception {
        negotiate();
        int trigger = VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER;
        try (EventFd first = EventFd.create(); EventFd second = EventFd.create()) {
            assertFalse(setIrqs(trigger | VfioUapi.VFIO_IRQ_SET_DATA_EVENTFD, VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 1, first.fd())
                    .header().isError());
            int[] held = server.keptDescriptors();
            assertEquals(1, held.length, "the server holds the first eventfd");
            assertFalse(setIrqs(trigger | VfioUapi.VFIO_IRQ_SET_DATA_EVENTFD, VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 1, second.fd())
                    .header().isError());
            assertEquals(1, server.keptDescriptors().length, "one eventfd per vector");
            assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/fd/" + held[0]), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    "the replaced eventfd's copy is closed");
            assertFalse(setIrqs(trigger | VfioUapi.VFIO_IRQ_SET_DATA_NONE, VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 0).header().isError());
            assertEquals(0, server.keptDescriptors().length, "disabling the index released its eventfds");
        }
    }

    @Test
    void clientClosingEndsTheServerWithPeerGone() throws Exception {
        negotiate();
        client.close();
        thread.join(5000);
        assertFalse(thread.isAlive());
        assertInstanceOf(VfioUserSocket.PeerGoneException.class, server.ended());
    }
}
