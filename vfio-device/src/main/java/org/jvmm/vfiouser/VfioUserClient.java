package org.jvmm.vfiouser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.jvmm.vfiouser.VfioUserPayloads.RegionAccess;
import org.jvmm.vfiouser.VfioUserPayloads.Version;

/**
 * The client end of a vfio-user connection, one synchronous call at a time: VERSION first
 * ({@link #negotiate}), then the device queries and register accesses a vfio-pci consumer makes.
 *
 * <p>Setup calls ({@link #negotiate}, {@link #deviceInfo}, {@link #regionInfo}) throw an
 * IOException naming the command and the errno. Register accesses never throw: a server that
 * refuses one, or that has gone away, answers a read with all-ones and drops a write, as a PCI
 * device removed by surprise would; the loss of the server is reported once through the
 * {@code report} callback and every later access fails fast the same way.
 */
public final class VfioUserClient implements AutoCloseable {
    private final VfioUserSocket socket;
    private final Consumer<String> report;
    private int nextId;
    private volatile boolean gone;
    private long maxDataXferSize = VfioUserPayloads.DEFAULT_MAX_DATA_XFER_SIZE;

    public VfioUserClient(VfioUserSocket socket, Consumer<String> report) {
        this.socket = socket;
        this.report = report;
    }

    /** True once the server has gone away. */
    public boolean gone() {
        return gone;
    }

    private synchronized VfioUserSocket.Message call(VfioUserCommand cmd, byte[] payload, int... fds) throws IOException {
        int id = nextId++ & 0xffff;
        socket.send(VfioUserHeader.command(id, cmd, payload.length), payload, fds);
        while (true) {
            VfioUserSocket.Message m = socket.receive();
            VfioUserSocket.closeAll(m.fds());
            if (m.header().isReply() && m.header().messageId() == id && m.header().command() == cmd.number()) {
                return m;
            }
        }
    }

    private VfioUserSocket.Message setup(VfioUserCommand cmd, byte[] payload) throws IOException {
        VfioUserSocket.Message m = call(cmd, payload);
        if (m.header().isError()) {
            throw new IOException("vfio-user " + cmd + " refused by the server: errno " + m.header().error());
        }
        return m;
    }

    /** VERSION: offers 0.1 with these capabilities; returns what the server granted. */
    public Version negotiate(int maxMsgFds, long maxDataXfer) throws IOException {
        Version v = Version.decode(setup(VfioUserCommand.VERSION,
                new Version(VfioUserPayloads.MAJOR, VfioUserPayloads.MINOR, maxMsgFds, maxDataXfer).toBytes()).payloadBuffer());
        if (v == null || v.major() != VfioUserPayloads.MAJOR) {
            throw new IOException("vfio-user VERSION: the server answered " + (v == null ? "a short reply" : "major " + v.major()));
        }
        maxDataXferSize = v.maxDataXferSize();
        socket.maxMessageSize(VfioUserHeader.SIZE + RegionAccess.SIZE + maxDataXferSize);
        return v;
    }

    public VfioUserPayloads.DeviceInfo deviceInfo() throws IOException {
        byte[] q = new byte[VfioUserPayloads.DeviceInfo.SIZE];
        ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN).putInt(q.length);
        return VfioUserPayloads.DeviceInfo.decode(setup(VfioUserCommand.DEVICE_GET_INFO, q).payloadBuffer());
    }

    public VfioUserPayloads.RegionInfo regionInfo(int index) throws IOException {
        ByteBuffer q = ByteBuffer.allocate(VfioUserPayloads.RegionInfo.SIZE);
        new VfioUserPayloads.RegionInfo(VfioUserPayloads.RegionInfo.SIZE, 0, index, 0, 0, 0).encode(q);
        return VfioUserPayloads.RegionInfo.decode(setup(VfioUserCommand.DEVICE_GET_REGION_INFO, q.array()).payloadBuffer());
    }

    /** A read of 1, 2, 4 or 8 bytes, little-endian; all-ones when refused or the server is gone. */
    public long regionRead(int region, long offset, int size) {
        long ones = size == 8 ? -1L : (1L << (8 * size)) - 1;
        if (gone) {
            return ones;
        }
        ByteBuffer q = ByteBuffer.allocate(RegionAccess.SIZE);
        new RegionAccess(offset, region, size).encode(q);
        try {
            VfioUserSocket.Message m = call(VfioUserCommand.REGION_READ, q.array());
            if (m.header().isError() || m.payload().length != RegionAccess.SIZE + size) {
                return ones;
            }
            long v = 0;
            for (int i = size - 1; i >= 0; i--) {
                v = v << 8 | (m.payload()[RegionAccess.SIZE + i] & 0xff);
            }
            return v;
        } catch (IOException e) {
            lost(e);
            return ones;
        }
    }

    /** A write of 1, 2, 4 or 8 bytes; dropped when refused or the server is gone. */
    public void regionWrite(int region, long offset, int size, long value) {
        if (gone) {
            return;
        }
        ByteBuffer q = ByteBuffer.allocate(RegionAccess.SIZE + size);
        new RegionAccess(offset, region, size).encode(q);
        for (int i = 0; i < size; i++) {
            q.put((byte) (value >>> (8 * i)));
        }
        try {
            call(VfioUserCommand.REGION_WRITE, q.array());
        } catch (IOException e) {
            lost(e);
        }
    }

    /** DEVICE_RESET; false when refused or the server is gone. */
    public boolean reset() {
        if (gone) {
            return false;
        }
        try {
            return !call(VfioUserCommand.DEVICE_RESET, new byte[0]).header().isError();
        } catch (IOException e) {
            lost(e);
            return false;
        }
    }

    private void lost(IOException e) {
        if (!gone) {
            gone = true;
            report.accept("vfio-user server lost: " + e.getMessage() + "; the device now reads all-ones");
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
