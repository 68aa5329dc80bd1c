package org.jvmm.vfiouser;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.uapi.VfioUapi;
import org.jvmm.host.sys.EventFd;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfiouser.VfioUserPayloads.RegionAccess;
import org.jvmm.vfiouser.VfioUserPayloads.Version;

/**
 * A vfio-user server for one host VFIO device (an in-process {@link VfioDevice}, e.g. the edu
 * behind vfio-pci): VERSION first, then DEVICE_GET_INFO, DEVICE_GET_REGION_INFO, REGION_READ /
 * REGION_WRITE, DEVICE_GET_IRQ_INFO and DEVICE_RESET forwarded to the device.
 *
 * <p>Every refusal is an error reply carrying the errno: a command before VERSION (EINVAL), a
 * major version other than 0 (EOPNOTSUPP), a short payload or an access of more than the
 * negotiated max_data_xfer_size (EINVAL), a message over the size limit (E2BIG; its payload is
 * discarded so the stream stays framed), a command this slice does not serve (EOPNOTSUPP), and
 * whatever errno the device's own call answers. Descriptors received with a command this server
 * does not keep are closed. Not yet served: DMA_MAP/UNMAP, DMA_READ/WRITE, region fds (mmap).
 */
public final class VfioUserServer implements Runnable {
    /** VFIO region flags: read, write, mmap (cleared: this server sends no region fds yet), caps. */
    private static final int REGION_FLAG_MMAP = 4;
    private static final int REGION_FLAG_CAPS = 8;

    private final VfioDevice device;
    private final VfioUserSocket socket;
    private final int maxMsgFds;
    private final long maxDataXferSize;
    private boolean negotiated;
    private volatile IOException ended;

    /**
     * @param maxMsgFds the max_msg_fds this server offers
     * @param maxDataXferSize the max_data_xfer_size this server offers (bytes of one access)
     */
    public VfioUserServer(VfioDevice device, VfioUserSocket socket, int maxMsgFds, long maxDataXferSize) {
        this.device = device;
        this.socket = socket;
        this.maxMsgFds = maxMsgFds;
        this.maxDataXferSize = maxDataXferSize;
        socket.maxMessageSize(VfioUserHeader.SIZE + RegionAccess.SIZE + maxDataXferSize);
    }

    /** Serves until the client goes away; the reason is kept in {@link #ended()}. */
    @Override
    public void run() {
        try {
            while (true) {
                serveOne(socket.receive());
            }
        } catch (IOException e) {
            ended = e;
        }
    }

    /** An eventfd's place: which action of which IRQ index and vector it serves. */
    private record Slot(int action, int index, long vector) {
    }

    /** The eventfds SET_IRQS handed over that the device uses now, one per slot. */
    private final java.util.Map<Slot, Integer> keptFds = new java.util.HashMap<>();

    /**
     * The eventfds SET_IRQS handed over and the device still uses (for the caller to close after
     * the device). One that a later SET_IRQS replaced, or a disable (DATA_NONE, count 0) released,
     * is closed then, as the kernel drops its reference to a replaced eventfd.
     */
    public int[] keptDescriptors() {
        return keptFds.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Why serving stopped (a {@link VfioUserSocket.PeerGoneException} when the client closed), or null. */
    public IOException ended() {
        return ended;
    }

    private void serveOne(VfioUserSocket.Message m) throws IOException {
        VfioUserHeader h = m.header();
        if (h.command() != VfioUserCommand.DEVICE_SET_IRQS.number() || h.isReply() || m.oversize()) {
            VfioUserSocket.closeAll(m.fds()); // only SET_IRQS keeps descriptors
        }
        if (h.isReply()) {
            return; // this server sends no commands, so a reply answers nothing
        }
        if (m.oversize()) {
            error(h, Errno.E2BIG);
            return;
        }
        VfioUserCommand cmd = VfioUserCommand.of(h.command());
        if (!negotiated && cmd != VfioUserCommand.VERSION) {
            error(h, Errno.EINVAL);
            return;
        }
        if (cmd == null) {
            error(h, Errno.EOPNOTSUPP);
            return;
        }
        ByteBuffer p = m.payloadBuffer();
        try {
            switch (cmd) {
                case VERSION -> version(h, p);
                case DEVICE_GET_INFO -> deviceInfo(h, p);
                case DEVICE_GET_REGION_INFO -> regionInfo(h, p);
                case DEVICE_GET_IRQ_INFO -> irqInfo(h, p);
                case REGION_READ, REGION_WRITE -> regionAccess(h, p, cmd == VfioUserCommand.REGION_WRITE);
                case DEVICE_SET_IRQS -> setIrqs(h, p, m.fds());
                case DEVICE_RESET -> {
                    device.reset();
                    reply(h, new byte[0]);
                }
                default -> error(h, Errno.EOPNOTSUPP);
            }
        } catch (ErrnoException e) {
            error(h, e.errnoNumber());
        }
    }

    /**
     * SET_IRQS: VFIO's flags; with DATA_EVENTFD the eventfds are the message's descriptors, one per
     * vector; with DATA_BOOL one byte per vector follows the struct. The eventfds are kept while the
     * device uses them; on a refusal they are closed, and one replaced or released is closed then.
     */
    private void setIrqs(VfioUserHeader h, ByteBuffer p, int[] fds) throws IOException {
        VfioUserPayloads.SetIrqs s = VfioUserPayloads.SetIrqs.decode(p);
        int type = s == null ? 0 : s.flags() & VfioUapi.VFIO_IRQ_SET_DATA_TYPE_MASK;
        IrqData data = null;
        if (type == VfioUapi.VFIO_IRQ_SET_DATA_EVENTFD && fds.length == s.count()) {
            EventFd[] e = new EventFd[fds.length];
            for (int i = 0; i < fds.length; i++) {
                e[i] = EventFd.adopt(fds[i]);
            }
            data = IrqData.eventfds(e);
        } else if (type == VfioUapi.VFIO_IRQ_SET_DATA_NONE && fds.length == 0) {
            data = IrqData.none();
        } else if (type == VfioUapi.VFIO_IRQ_SET_DATA_BOOL && fds.length == 0
                && Integer.toUnsignedLong(s.count()) == p.remaining()) {
            boolean[] b = new boolean[s.count()];
            for (int i = 0; i < b.length; i++) {
                b[i] = p.get() != 0;
            }
            data = IrqData.bools(b);
        }
        if (data == null) {
            VfioUserSocket.closeAll(fds);
            error(h, Errno.EINVAL);
            return;
        }
        try {
            device.setIrqs(IrqSet.of(s.flags() & VfioUapi.VFIO_IRQ_SET_ACTION_TYPE_MASK, s.index(), s.start(), s.count(), data));
        } catch (ErrnoException e) {
            VfioUserSocket.closeAll(fds);
            throw e;
        }
        int action = s.flags() & VfioUapi.VFIO_IRQ_SET_ACTION_TYPE_MASK;
        if (type == VfioUapi.VFIO_IRQ_SET_DATA_NONE && s.count() == 0) {
            keptFds.entrySet().removeIf(k -> {
                boolean released = k.getKey().action() == action && k.getKey().index() == s.index();
                if (released) {
                    VfioUserSocket.closeAll(new int[] {k.getValue()});
                }
                return released;
            });
        }
        for (int i = 0; i < fds.length; i++) {
            Integer old = keptFds.put(new Slot(action, s.index(), Integer.toUnsignedLong(s.start()) + i), fds[i]);
            if (old != null) {
                VfioUserSocket.closeAll(new int[] {old});
            }
        }
        reply(h, new byte[0]);
    }

    private void version(VfioUserHeader h, ByteBuffer p) throws IOException {
        Version v = Version.decode(p);
        if (v == null || negotiated) {
            error(h, Errno.EINVAL);
            return;
        }
        if (v.major() != VfioUserPayloads.MAJOR) {
            error(h, Errno.EOPNOTSUPP);
            return;
        }
        int fds = Math.min(maxMsgFds, v.maxMsgFds());
        long xfer = Long.compareUnsigned(maxDataXferSize, v.maxDataXferSize()) <= 0 ? maxDataXferSize : v.maxDataXferSize();
        negotiated = true;
        reply(h, new Version(VfioUserPayloads.MAJOR, Math.min(VfioUserPayloads.MINOR, v.minor()), fds, xfer).toBytes());
    }

    private void deviceInfo(VfioUserHeader h, ByteBuffer p) throws IOException {
        if (VfioUserPayloads.DeviceInfo.decode(p) == null) {
            error(h, Errno.EINVAL);
            return;
        }
        DeviceInfo i = device.getInfo();
        ByteBuffer out = ByteBuffer.allocate(VfioUserPayloads.DeviceInfo.SIZE);
        new VfioUserPayloads.DeviceInfo(VfioUserPayloads.DeviceInfo.SIZE, i.flags(), i.numRegions(), i.numIrqs()).encode(out);
        reply(h, out.array());
    }

    private void regionInfo(VfioUserHeader h, ByteBuffer p) throws IOException {
        VfioUserPayloads.RegionInfo q = VfioUserPayloads.RegionInfo.decode(p);
        if (q == null) {
            error(h, Errno.EINVAL);
            return;
        }
        RegionInfo r = device.getRegionInfo(q.index());
        ByteBuffer out = ByteBuffer.allocate(VfioUserPayloads.RegionInfo.SIZE);
        new VfioUserPayloads.RegionInfo(VfioUserPayloads.RegionInfo.SIZE,
                r.flags() & ~(REGION_FLAG_MMAP | REGION_FLAG_CAPS), q.index(), 0, r.size(), 0).encode(out);
        reply(h, out.array());
    }

    private void irqInfo(VfioUserHeader h, ByteBuffer p) throws IOException {
        VfioUserPayloads.IrqInfo q = VfioUserPayloads.IrqInfo.decode(p);
        if (q == null) {
            error(h, Errno.EINVAL);
            return;
        }
        IrqInfo i = device.getIrqInfo(q.index());
        ByteBuffer out = ByteBuffer.allocate(VfioUserPayloads.IrqInfo.SIZE);
        new VfioUserPayloads.IrqInfo(VfioUserPayloads.IrqInfo.SIZE, i.flags(), q.index(), i.count()).encode(out);
        reply(h, out.array());
    }

    private void regionAccess(VfioUserHeader h, ByteBuffer p, boolean write) throws IOException {
        RegionAccess a = RegionAccess.decode(p);
        if (a == null || Long.compareUnsigned(Integer.toUnsignedLong(a.count()), maxDataXferSize) > 0
                || (write && p.remaining() != a.count())) {
            error(h, Errno.EINVAL);
            return;
        }
        RegionInfo r = device.getRegionInfo(a.region());
        long end = a.offset() + Integer.toUnsignedLong(a.count());
        if (Long.compareUnsigned(end, a.offset()) < 0 || Long.compareUnsigned(end, r.size()) > 0) {
            error(h, Errno.EINVAL);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, a.count()));
            MemorySegment data = buf.asSlice(0, a.count());
            ByteBuffer out;
            if (write) {
                MemorySegment.copy(MemorySegment.ofBuffer(p.slice()), 0, data, 0, a.count());
                device.write(r.offset() + a.offset(), data);
                out = ByteBuffer.allocate(RegionAccess.SIZE);
                a.encode(out);
            } else {
                device.read(r.offset() + a.offset(), data);
                out = ByteBuffer.allocate(RegionAccess.SIZE + a.count()).order(ByteOrder.LITTLE_ENDIAN);
                a.encode(out);
                out.put(data.toArray(ValueLayout.JAVA_BYTE));
            }
            reply(h, out.array());
        }
    }

    private void reply(VfioUserHeader h, byte[] payload) throws IOException {
        if (!h.noReply()) {
            socket.send(VfioUserHeader.reply(h, payload.length), payload);
        }
    }

    private void error(VfioUserHeader h, Errno errno) throws IOException {
        error(h, errno.number());
    }

    private void error(VfioUserHeader h, int errno) throws IOException {
        socket.send(VfioUserHeader.errorReply(h, errno), new byte[0]);
    }
}
