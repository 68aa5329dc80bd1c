package org.jvmm.vfiouser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.jvmm.vfiouser.VfioUserPayloads.RegionAccess;
import org.jvmm.vfiouser.VfioUserPayloads.Version;

/**
 * The client end of a vfio-user connection, one synchronous call at a time: VERSION first
 * ({@link #negotiate}), then the device queries and register accesses a vfio-pci consumer makes,
 * SET_IRQS with eventfds, and DMA_MAP/UNMAP. Commands the server sends (DMA_READ / DMA_WRITE for
 * ranges mapped without an fd) are answered against the {@link DmaTarget} by the thread waiting
 * for its own reply, or, with no call in flight, by a daemon thread started with the target.
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

    /**
     * Sends a command and waits for its reply, serving the server's own commands (DMA_READ /
     * DMA_WRITE) that arrive meanwhile. Descriptors of the reply are the caller's; all others are
     * closed here.
     */
    private synchronized VfioUserSocket.Message call(VfioUserCommand cmd, byte[] payload, int... fds) throws IOException {
        int id = nextId++ & 0xffff;
        socket.send(VfioUserHeader.command(id, cmd, payload.length), payload, fds);
        while (true) {
            VfioUserSocket.Message m = socket.receive();
            if (m.header().isReply() && m.header().messageId() == id && m.header().command() == cmd.number()) {
                return m;
            }
            VfioUserSocket.closeAll(m.fds());
            if (!m.header().isReply()) {
                serveServerCommand(m);
            }
        }
    }

    /** The guest memory a server without shared memory reaches by DMA_READ / DMA_WRITE. */
    public interface DmaTarget {
        /** Copies {@code into.length} bytes at {@code address} into {@code into}; false when not all is guest RAM. */
        boolean read(long address, byte[] into);

        /** Copies {@code data} to {@code address}; false when not all is writable guest RAM. */
        boolean write(long address, byte[] data);
    }

    private volatile DmaTarget dmaTarget;

    /**
     * Where the server's DMA_READ / DMA_WRITE go; without one they are refused with EFAULT. The
     * first target also starts the idle server: a daemon thread that, every millisecond while no
     * call holds the connection, answers the commands a device sent from its own thread (a DMA
     * the VMM is not waiting on); during a call the waiting thread answers them itself.
     */
    public synchronized void dmaTarget(DmaTarget target) {
        this.dmaTarget = target;
        if (idle == null && !closed) {
            idle = Thread.ofPlatform().daemon().name("vfio-user-dma-" + socket.fd()).start(this::serveWhileIdle);
        }
    }

    private Thread idle;
    private volatile boolean closed;
    private static final int MSG_PEEK = 0x2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final java.lang.invoke.MethodHandle RECV = java.lang.foreign.Linker.nativeLinker().downcallHandle(
            java.lang.foreign.Linker.nativeLinker().defaultLookup().find("recv").orElseThrow(),
            java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT,
                    java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT));

    /** True when a message (or the peer's close) waits on the socket; never blocks. */
    private boolean readable(java.lang.foreign.MemorySegment one) {
        try {
            return (long) RECV.invokeExact(socket.fd(), one, 1L, MSG_PEEK | MSG_DONTWAIT) >= 0;
        } catch (Throwable t) {
            return false;
        }
    }

    private void serveWhileIdle() {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment one = a.allocate(1);
            while (!closed && !gone) {
                synchronized (this) {
                    while (!closed && !gone && readable(one)) {
                        VfioUserSocket.Message m = socket.receive();
                        VfioUserSocket.closeAll(m.fds());
                        if (!m.header().isReply()) {
                            serveServerCommand(m);
                        }
                    }
                }
                Thread.sleep(1);
            }
        } catch (IOException e) {
            if (!closed) {
                lost(e);
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private final java.util.concurrent.atomic.LongAdder dmaServed = new java.util.concurrent.atomic.LongAdder();

    /** DMA_READ / DMA_WRITE commands of the server answered so far (refusals included). */
    public long dmaMessagesServed() {
        return dmaServed.sum();
    }

    /**
     * A command from the server: DMA_READ / DMA_WRITE against the {@link DmaTarget} (EFAULT when
     * outside it, EINVAL for a short or oversized one), anything else EOPNOTSUPP.
     */
    private void serveServerCommand(VfioUserSocket.Message m) throws IOException {
        VfioUserHeader h = m.header();
        dmaServed.increment();
        boolean read = h.command() == VfioUserCommand.DMA_READ.number();
        boolean write = h.command() == VfioUserCommand.DMA_WRITE.number();
        if (!read && !write) {
            dmaServed.decrement();
            if (!h.noReply()) {
                socket.send(VfioUserHeader.errorReply(h, org.jvmm.host.Errno.EOPNOTSUPP.number()), new byte[0]);
            }
            return;
        }
        ByteBuffer p = m.payloadBuffer();
        VfioUserPayloads.DmaAccess a = VfioUserPayloads.DmaAccess.decode(p);
        int errno = 0;
        byte[] data = null;
        if (a == null || Long.compareUnsigned(a.count(), maxDataXferSize) > 0
                || (write && p.remaining() != a.count())) {
            errno = org.jvmm.host.Errno.EINVAL.number();
        } else {
            DmaTarget t = dmaTarget;
            data = new byte[(int) a.count()];
            if (write) {
                p.get(data);
            }
            if (t == null || !(read ? t.read(a.address(), data) : t.write(a.address(), data))) {
                errno = org.jvmm.host.Errno.EFAULT.number();
            }
        }
        if (h.noReply()) {
            return;
        }
        if (errno != 0) {
            socket.send(VfioUserHeader.errorReply(h, errno), new byte[0]);
        } else {
            byte[] out = read ? a.withData(data) : a.toBytes();
            socket.send(VfioUserHeader.reply(h, out.length), out);
        }
    }

    private VfioUserSocket.Message setup(VfioUserCommand cmd, byte[] payload, int... fds) throws IOException {
        VfioUserSocket.Message m = call(cmd, payload, fds);
        if (m.header().isError()) {
            VfioUserSocket.closeAll(m.fds());
            throw new Refused(cmd, m.header().error());
        }
        return m;
    }

    /** An error reply to a command: the command and the server's errno. */
    public static final class Refused extends IOException {
        private final int errno;

        Refused(VfioUserCommand cmd, int errno) {
            super("vfio-user " + cmd + " refused by the server: errno " + errno);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
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
        MappableRegion r = mappableRegionInfo(index);
        VfioUserSocket.closeAll(r.fd());
        return r.info();
    }

    /**
     * A region's info with what comes after it: the sparse-mmap capability (null without) and the
     * fd to mmap (-1 without; the caller's to close).
     */
    public record MappableRegion(VfioUserPayloads.RegionInfo info, VfioUserPayloads.SparseMmap sparse, int fd) {
    }

    /**
     * DEVICE_GET_REGION_INFO with room for a capability chain: asked again with the argsz the
     * server says it needs when the first answer did not fit.
     */
    public MappableRegion mappableRegionInfo(int index) throws IOException {
        int argsz = VfioUserPayloads.RegionInfo.SIZE + VfioUserPayloads.SparseMmap.HEADER_SIZE
                + 8 * VfioUserPayloads.SparseMmap.AREA_SIZE;
        for (int attempt = 0; ; attempt++) {
            ByteBuffer q = ByteBuffer.allocate(VfioUserPayloads.RegionInfo.SIZE);
            new VfioUserPayloads.RegionInfo(argsz, 0, index, 0, 0, 0).encode(q);
            VfioUserSocket.Message m = setup(VfioUserCommand.DEVICE_GET_REGION_INFO, q.array());
            ByteBuffer p = m.payloadBuffer();
            VfioUserPayloads.RegionInfo r = VfioUserPayloads.RegionInfo.decode(p.duplicate());
            if (r == null) {
                VfioUserSocket.closeAll(m.fds());
                throw new IOException("vfio-user DEVICE_GET_REGION_INFO " + index + ": the server answered "
                        + m.payload().length + " bytes");
            }
            if (Integer.compareUnsigned(r.argsz(), argsz) > 0 && attempt == 0
                    && Integer.compareUnsigned(r.argsz(), 1 << 16) <= 0) {
                VfioUserSocket.closeAll(m.fds());
                argsz = r.argsz();
                continue;
            }
            VfioUserPayloads.SparseMmap sparse = null;
            if ((r.flags() & VfioUserPayloads.RegionInfo.FLAG_CAPS) != 0
                    && Integer.compareUnsigned(r.capOffset(), VfioUserPayloads.RegionInfo.SIZE) >= 0
                    && Integer.compareUnsigned(r.capOffset(), m.payload().length) < 0) {
                sparse = VfioUserPayloads.SparseMmap.decode(p.position(r.capOffset()));
            }
            int[] fds = m.fds();
            for (int i = 1; i < fds.length; i++) {
                VfioUserSocket.closeAll(fds[i]);
            }
            return new MappableRegion(r, sparse, fds.length > 0 ? fds[0] : -1);
        }
    }

    public VfioUserPayloads.IrqInfo irqInfo(int index) throws IOException {
        ByteBuffer q = ByteBuffer.allocate(VfioUserPayloads.IrqInfo.SIZE);
        new VfioUserPayloads.IrqInfo(VfioUserPayloads.IrqInfo.SIZE, 0, index, 0).encode(q);
        VfioUserPayloads.IrqInfo r = VfioUserPayloads.IrqInfo.decode(setup(VfioUserCommand.DEVICE_GET_IRQ_INFO, q.array()).payloadBuffer());
        if (r == null) {
            throw new IOException("vfio-user DEVICE_GET_IRQ_INFO " + index + ": short reply");
        }
        return r;
    }

    /**
     * DEVICE_SET_IRQS with {@code fds} as the eventfds (DATA_EVENTFD) or {@code bools} after the
     * struct (DATA_BOOL). Throws {@link Refused} with the server's errno; a lost server is
     * reported and the call does nothing (returns false).
     */
    public boolean setIrqs(int flags, int index, int start, int count, byte[] bools, int... fds) throws Refused {
        if (gone) {
            return false;
        }
        ByteBuffer q = ByteBuffer.allocate(VfioUserPayloads.SetIrqs.SIZE + bools.length);
        new VfioUserPayloads.SetIrqs(q.capacity(), flags, index, start, count).encode(q);
        q.put(bools);
        try {
            setup(VfioUserCommand.DEVICE_SET_IRQS, q.array(), fds);
            return true;
        } catch (Refused e) {
            throw e;
        } catch (IOException e) {
            lost(e);
            return false;
        }
    }

    /** DMA_MAP of [address, address + size) to {@code fd} at {@code offset} (fd -1: reached by DMA_READ/WRITE). */
    public void dmaMap(int flags, long offset, long address, long size, int fd) throws IOException {
        byte[] q = new VfioUserPayloads.DmaMap(VfioUserPayloads.DmaMap.SIZE, flags, offset, address, size).toBytes();
        if (fd >= 0) {
            setup(VfioUserCommand.DMA_MAP, q, fd);
        } else {
            setup(VfioUserCommand.DMA_MAP, q);
        }
    }

    /** DMA_UNMAP of exactly the range a DMA_MAP made. */
    public void dmaUnmap(long address, long size) throws IOException {
        setup(VfioUserCommand.DMA_UNMAP, new VfioUserPayloads.DmaUnmap(VfioUserPayloads.DmaUnmap.SIZE, 0, address, size).toBytes());
    }

    /**
     * REGION_READ of {@code into.length} bytes in pieces of at most max_data_xfer_size; false
     * (and {@code into} all-ones) when refused or the server is gone.
     */
    public boolean regionRead(int region, long offset, byte[] into) {
        for (int done = 0; done < into.length && !gone; ) {
            int n = (int) Math.min(into.length - done, maxDataXferSize);
            ByteBuffer q = ByteBuffer.allocate(RegionAccess.SIZE);
            new RegionAccess(offset + done, region, n).encode(q);
            try {
                VfioUserSocket.Message m = call(VfioUserCommand.REGION_READ, q.array());
                VfioUserSocket.closeAll(m.fds());
                if (m.header().isError() || m.payload().length != RegionAccess.SIZE + n) {
                    break;
                }
                System.arraycopy(m.payload(), RegionAccess.SIZE, into, done, n);
                done += n;
                if (done == into.length) {
                    return true;
                }
            } catch (IOException e) {
                lost(e);
            }
        }
        java.util.Arrays.fill(into, (byte) 0xff);
        return into.length == 0;
    }

    /** REGION_WRITE of {@code data} in pieces; false when refused (the rest dropped) or the server is gone. */
    public boolean regionWrite(int region, long offset, byte[] data) {
        for (int done = 0; done < data.length; ) {
            if (gone) {
                return false;
            }
            int n = (int) Math.min(data.length - done, maxDataXferSize);
            ByteBuffer q = ByteBuffer.allocate(RegionAccess.SIZE + n);
            new RegionAccess(offset + done, region, n).encode(q);
            q.put(data, done, n);
            try {
                VfioUserSocket.Message m = call(VfioUserCommand.REGION_WRITE, q.array());
                VfioUserSocket.closeAll(m.fds());
                if (m.header().isError()) {
                    return false;
                }
            } catch (IOException e) {
                lost(e);
                return false;
            }
            done += n;
        }
        return true;
    }

    /** The max_data_xfer_size the server granted (the default before VERSION). */
    public long maxDataXferSize() {
        return maxDataXferSize;
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
            VfioUserSocket.closeAll(m.fds());
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

    /** REGION_WRITE's payload for a write of {@code size} bytes of {@code value}, little-endian. */
    private static ByteBuffer writePayload(int region, long offset, int size, long value) {
        ByteBuffer q = ByteBuffer.allocate(RegionAccess.SIZE + size);
        new RegionAccess(offset, region, size).encode(q);
        for (int i = 0; i < size; i++) {
            q.put((byte) (value >>> (8 * i)));
        }
        return q;
    }

    /** A write of 1, 2, 4 or 8 bytes; dropped when refused or the server is gone. */
    public void regionWrite(int region, long offset, int size, long value) {
        if (gone) {
            return;
        }
        ByteBuffer q = writePayload(region, offset, size, value);
        try {
            VfioUserSocket.closeAll(call(VfioUserCommand.REGION_WRITE, q.array()).fds());
        } catch (IOException e) {
            lost(e);
        }
    }

    private final java.util.concurrent.atomic.LongAdder posted = new java.util.concurrent.atomic.LongAdder();

    /** Register writes sent posted (no reply asked) so far. */
    public long postedWrites() {
        return posted.sum();
    }

    /**
     * A posted write of 1, 2, 4 or 8 bytes: REGION_WRITE with no-reply, returning once it is on the
     * socket, as QEMU's vfio-user client posts BAR writes (hw/vfio-user/device.c). The server serves
     * its commands in order, so a later read of any region sees the write. A server's refusal is
     * not answered and so is lost, as a posted PCI write's is; a send that fails reports the server
     * lost, as QEMU reports the failed send. Dropped when the server is gone.
     */
    public void postedRegionWrite(int region, long offset, int size, long value) {
        if (gone) {
            return;
        }
        ByteBuffer q = writePayload(region, offset, size, value);
        try {
            synchronized (this) { // after any call in flight, so the server sees the commands in program order
                int id = nextId++ & 0xffff;
                socket.send(VfioUserHeader.postedCommand(id, VfioUserCommand.REGION_WRITE, q.capacity()), q.array());
            }
            posted.increment();
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
            VfioUserSocket.Message m = call(VfioUserCommand.DEVICE_RESET, new byte[0]);
            VfioUserSocket.closeAll(m.fds());
            return !m.header().isError();
        } catch (IOException e) {
            lost(e);
            return false;
        }
    }

    /** Marks the server lost (reported once) after an I/O failure outside this class's own calls. */
    public synchronized void lost(IOException e) {
        if (!gone) {
            gone = true;
            report.accept("vfio-user server lost: " + e.getMessage() + "; the device now reads all-ones");
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = idle;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        socket.close();
    }
}
