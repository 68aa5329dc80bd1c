package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.jvmm.vfiouser.VfioUserPayloads.DmaUnmap;
import org.jvmm.vfiouser.VfioUserPayloads.RegionAccess;
import org.jvmm.vfiouser.VfioUserPayloads.Version;

/** A test client speaking raw messages, so a test sees every byte and every message id. */
final class RawVfioUserClient implements AutoCloseable {
    static final int BAR0 = 0;
    static final int CONFIG = 7;
    static final int EINVAL = 22;
    static final int ENOENT = 2;
    static final int EOPNOTSUPP = 95;

    final VfioUserSocket socket;
    private int nextId = 1;

    RawVfioUserClient(VfioUserSocket socket) {
        this.socket = socket;
    }

    int send(VfioUserCommand cmd, byte[] payload, int... fds) throws Exception {
        int id = nextId++;
        socket.send(VfioUserHeader.command(id, cmd, payload.length), payload, fds);
        return id;
    }

    VfioUserSocket.Message expectReply(int id, VfioUserCommand cmd) throws Exception {
        VfioUserSocket.Message m = socket.receive();
        assertTrue(m.header().isReply(), "a reply, not " + m.header());
        assertEquals(id, m.header().messageId(), "the reply echoes the message id");
        assertEquals(cmd.number(), m.header().command(), "the reply echoes the command");
        return m;
    }

    VfioUserSocket.Message call(VfioUserCommand cmd, byte[] payload, int... fds) throws Exception {
        return expectReply(send(cmd, payload, fds), cmd);
    }

    void ok(VfioUserSocket.Message m) {
        assertFalse(m.header().isError(), "error reply, errno " + m.header().error());
    }

    static void assertErrno(int errno, VfioUserSocket.Message m) {
        assertTrue(m.header().isError(), "an error reply");
        assertEquals(errno, m.header().error(), "errno");
        assertEquals(VfioUserHeader.SIZE, m.header().size(), "an error reply has no payload");
    }

    /** VERSION, then memory space and bus mastering on in the command register. */
    void negotiate(long maxDataXfer) throws Exception {
        ok(call(VfioUserCommand.VERSION, new Version(0, 1, 8, maxDataXfer).toBytes()));
        ok(call(VfioUserCommand.REGION_WRITE, access(4, CONFIG, 2, (byte) 0x06, (byte) 0)));
    }

    static byte[] access(long offset, int region, int count, byte... data) {
        ByteBuffer b = ByteBuffer.allocate(RegionAccess.SIZE + data.length);
        new RegionAccess(offset, region, count).encode(b);
        b.put(data);
        return b.array();
    }

    static byte[] le(int size, long value) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    /** A register write whose reply comes at once (no DMA in between). */
    void write(int region, long offset, int size, long value) throws Exception {
        ok(call(VfioUserCommand.REGION_WRITE, access(offset, region, size, le(size, value))));
    }

    /** Sends a register write and returns its id, for tests that answer DMA before its reply. */
    int sendWrite(int region, long offset, int size, long value) throws Exception {
        return send(VfioUserCommand.REGION_WRITE, access(offset, region, size, le(size, value)));
    }

    long read(int region, long offset, int size) throws Exception {
        VfioUserSocket.Message m = call(VfioUserCommand.REGION_READ, access(offset, region, size));
        ok(m);
        ByteBuffer p = m.payloadBuffer().order(ByteOrder.LITTLE_ENDIAN);
        p.position(RegionAccess.SIZE);
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (p.get() & 0xffL) << (8 * i);
        }
        return v;
    }

    VfioUserSocket.Message map(int flags, long offset, long address, long size, int... fds) throws Exception {
        return call(VfioUserCommand.DMA_MAP, new DmaMap(DmaMap.SIZE, flags, offset, address, size).toBytes(), fds);
    }

    VfioUserSocket.Message unmap(int flags, long address, long size) throws Exception {
        return call(VfioUserCommand.DMA_UNMAP, new DmaUnmap(DmaUnmap.SIZE, flags, address, size).toBytes());
    }

    @Override
    public void close() {
        socket.close();
    }
}
