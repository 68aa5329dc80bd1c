package org.jvmm.vfiouser;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.host.sys.Linux;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.uapi.VfioUapi;
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
 * does not keep are closed.
 *
 * <p>DMA (with the constructor that takes the device's container): DMA_MAP with one fd maps the
 * client's memory (mmap, MAP_SHARED, the flags' read/write as protection) and puts it in the
 * device's TYPE1 container at the DMA address (VFIO_IOMMU_MAP_DMA), so the device's DMA reaches
 * it through the IOMMU as any DMA does; DMA_MAP without an fd only records the range, and the
 * device's DMA into it (with a {@link VfioUserDmaModel} wrapping the model) becomes DMA_READ /
 * DMA_WRITE commands to the client, at most the negotiated max_data_xfer_size each. Refusals as
 * libvfio-user's lib/dma.c gives them: EINVAL for a short payload or argsz, unknown flags, more
 * than one fd, zero size, a range that wraps, an fd range not page aligned, an overlap with a
 * mapped range (the same range, offset, protection and file again is accepted), too many
 * ranges; ENOENT for an UNMAP that does not name one mapped range exactly; EINVAL for UNMAP's
 * dirty bitmap (this server keeps no dirty log) and for unmap-all with an address or size; the
 * errno of mmap or of the container otherwise. A refusal leaves every mapping as it was. UNMAP
 * unmaps from the container, then munmaps and closes the fd; when the client goes away every
 * range goes the same way and the interrupts it set are disabled.
 *
 * <p>Region fds: a region {@linkplain #shareRegion shared} with an fd answers GET_REGION_INFO with
 * the MMAP flag, the fd offset and a sparse mmap capability (the device's areas, or the whole
 * region); the fd travels with the reply when the client's argsz holds the capability, as
 * libvfio-user does. Other regions keep MMAP clear and trap.
 *
 * <p>Threads: {@link #run} is the reader, the only thread that receives from the socket. It hands
 * each reply from the client to the device thread that waits for it, and each command to the
 * server's one command thread, which serves them one at a time in the order they came and is the
 * only one that changes the DMA ranges (a concurrent skip list that device threads read without a
 * lock). So a device's DMA into an fd-less range, from whatever thread (the command thread itself
 * when the DMA runs inside a register write, or the device's own thread while it holds the
 * device's lock and a client's register access waits for that lock), sends its DMA_READ /
 * DMA_WRITE and always gets its answer from the reader. When the client goes, the commands it sent
 * before are still served (a no-reply write takes effect; replies go nowhere), then every range
 * and interrupt is released. Every send holds {@code sendLock}, so messages never interleave; the
 * kept eventfds are guarded by their map's monitor. {@link #dmaModel} and {@link #shareRegion}
 * are for before {@link #run}; {@link #maxDmaRegions} applies to the next DMA_MAP from any thread.
 */
public final class VfioUserServer implements Runnable {
    /** VFIO region flags: read, write, mmap (cleared: this server sends no region fds yet), caps. */
    private static final int REGION_FLAG_MMAP = 4;
    private static final int REGION_FLAG_CAPS = 8;

    /** Wait for the client's answer to a DMA_READ / DMA_WRITE sent from a device thread. */
    private static final long DMA_REPLY_TIMEOUT_SECONDS = 10;

    private final VfioDevice device;
    private final VfioUserSocket socket;
    private final int maxMsgFds;
    private final long maxDataXferSize;
    private final VfioContainer container;
    private final HostMemoryRegistry memory;
    private volatile boolean negotiated;
    private volatile long xferSize = VfioUserPayloads.DEFAULT_MAX_DATA_XFER_SIZE;
    private volatile IOException ended;
    private volatile int maxDmaRegions = 1024;
    private VfioUserDmaModel dmaModel;
    private final Map<Integer, SharedRegion> shared = new ConcurrentHashMap<>();

    /** The client's DMA ranges by address (unsigned order). */
    private final ConcurrentSkipListMap<Long, DmaRegion> regions = new ConcurrentSkipListMap<>(Long::compareUnsigned);

    /** Commands the reader received, for the command thread; {@link #END} after the last. */
    private final LinkedBlockingQueue<VfioUserSocket.Message> commands = new LinkedBlockingQueue<>();
    private static final VfioUserSocket.Message END = new VfioUserSocket.Message(null, new byte[0], new int[0], false, false);
    private final Map<Integer, CompletableFuture<VfioUserSocket.Message>> pending = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private int nextRequestId;
    private final LongAdder dmaMessages = new LongAdder();
    private final LongAdder dmaFailures = new LongAdder();

    /** One range the client mapped: with the mmap of its fd, or (mapping null) served by messages. */
    private record DmaRegion(long address, long size, long offset, int flags, HostMapping mapping, Object file) {
        long last() {
            return address + size - 1;
        }
    }

    /** A region whose memory the client may mmap: the fd and the offset of the region in it. */
    private record SharedRegion(int fd, long fdOffset) {
    }

    /**
     * @param maxMsgFds the max_msg_fds this server offers
     * @param maxDataXferSize the max_data_xfer_size this server offers (bytes of one access)
     */
    public VfioUserServer(VfioDevice device, VfioUserSocket socket, int maxMsgFds, long maxDataXferSize) {
        this(device, null, socket, maxMsgFds, maxDataXferSize);
    }

    /**
     * A server that also serves DMA_MAP / DMA_UNMAP: {@code container} is the TYPE1 container the
     * device's group is in (the client's fd-backed ranges are mapped there); null refuses the DMA
     * commands with EOPNOTSUPP.
     */
    public VfioUserServer(VfioDevice device, VfioContainer container, VfioUserSocket socket, int maxMsgFds, long maxDataXferSize) {
        this.device = device;
        this.container = container;
        this.memory = container == null ? null : container.platform().memory();
        this.socket = socket;
        this.maxMsgFds = maxMsgFds;
        this.maxDataXferSize = maxDataXferSize;
        socket.maxMessageSize(VfioUserHeader.SIZE + RegionAccess.SIZE + maxDataXferSize);
    }

    /** The model wrapper whose DMA into fd-less ranges this server turns into messages. */
    public VfioUserServer dmaModel(VfioUserDmaModel model) {
        this.dmaModel = model;
        return this;
    }

    /** The most DMA ranges the client may map at once (default 1024). */
    public VfioUserServer maxDmaRegions(int max) {
        this.maxDmaRegions = max;
        return this;
    }

    /**
     * Offers region {@code index} for mmap: its memory is {@code fd} from {@code fdOffset} on. The
     * fd stays the caller's (the reply sends a copy).
     */
    public VfioUserServer shareRegion(int index, int fd, long fdOffset) {
        shared.put(index, new SharedRegion(fd, fdOffset));
        return this;
    }

    /** DMA_READ / DMA_WRITE commands sent to the client so far. */
    public long dmaMessages() {
        return dmaMessages.sum();
    }

    /** Device DMA into message ranges that moved nothing (refused, client gone, no permission). */
    public long dmaFailures() {
        return dmaFailures.sum();
    }

    /** How many DMA ranges the client has mapped now. */
    public int dmaRegionCount() {
        return regions.size();
    }

    /** Serves until the client goes away; the reason is kept in {@link #ended()}. */
    @Override
    public void run() {
        if (dmaModel != null) {
            dmaModel.serveThrough(this);
        }
        Thread served = Thread.ofPlatform().daemon().name(Thread.currentThread().getName() + "-commands").start(this::serveCommands);
        try {
            while (true) {
                VfioUserSocket.Message m = socket.receive();
                if (m.header().isReply()) {
                    VfioUserSocket.closeAll(m.fds()); // a reply keeps no descriptors
                    deliver(m);
                } else {
                    commands.add(m);
                }
            }
        } catch (IOException e) {
            ended = e;
        } finally {
            for (CompletableFuture<VfioUserSocket.Message> f : pending.values()) {
                f.complete(null); // no answer will come: the DMA waiting for it fails now
            }
            commands.add(END);
            joinUninterruptibly(served);
            if (dmaModel != null) {
                dmaModel.detach(this);
            }
            releaseAll();
        }
    }

    /** The command thread: the client's commands, one at a time, in the order they came, until {@link #END}. */
    private void serveCommands() {
        while (true) {
            VfioUserSocket.Message m;
            try {
                m = commands.take();
            } catch (InterruptedException e) {
                continue; // only the END the reader queues stops this thread
            }
            if (m == END) {
                return;
            }
            try {
                serveOne(m);
            } catch (IOException e) {
                // the reply could not be sent: the client is gone, and the reader sees it too
            } catch (RuntimeException e) {
                // a device model's own failure: the command is answered EIO and serving goes on
                try {
                    error(m.header(), Errno.EIO);
                } catch (IOException gone) {
                    // the client is gone
                }
            }
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The client is gone: every DMA range unmapped and closed, every interrupt it set disabled. */
    private void releaseAll() {
        for (DmaRegion r : regions.values()) {
            try {
                release(r);
            } catch (RuntimeException e) {
                // the container is gone already: nothing is mapped there any more
            }
        }
        regions.clear();
        synchronized (keptFds) {
            for (Slot s : keptFds.keySet()) {
                try {
                    device.setIrqs(IrqSet.of(s.action(), s.index(), 0, 0, IrqData.none()));
                } catch (RuntimeException e) {
                    // the device is closed or refuses: its eventfds are closed below either way
                }
            }
            for (int fd : keptFds.values()) {
                VfioUserSocket.closeAll(fd);
            }
            keptFds.clear();
        }
    }

    private void release(DmaRegion r) {
        if (r.mapping() != null) {
            try {
                container.unmapDma(new org.jvmm.vfio.iommu.DmaUnmap(0, new Iova(r.address()), r.size()));
            } finally {
                r.mapping().close();
            }
        }
    }

    /** An eventfd's place: which action of which IRQ index and vector it serves. */
    private record Slot(int action, int index, long vector) {
    }

    /** The eventfds SET_IRQS handed over that the device uses now, one per slot. */
    private final java.util.Map<Slot, Integer> keptFds = new java.util.HashMap<>();

    /**
     * The eventfds SET_IRQS handed over and the device still uses. One that a later SET_IRQS
     * replaced, or a disable (DATA_NONE, count 0) released, is closed then, as the kernel drops its
     * reference to a replaced eventfd; the rest are closed, their interrupts disabled, when the
     * client goes.
     */
    public int[] keptDescriptors() {
        synchronized (keptFds) {
            return keptFds.values().stream().mapToInt(Integer::intValue).sorted().toArray();
        }
    }

    /** Why serving stopped (a {@link VfioUserSocket.PeerGoneException} when the client closed), or null. */
    public IOException ended() {
        return ended;
    }

    private void serveOne(VfioUserSocket.Message m) throws IOException {
        VfioUserHeader h = m.header();
        if ((h.command() != VfioUserCommand.DEVICE_SET_IRQS.number() && h.command() != VfioUserCommand.DMA_MAP.number())
                || m.oversize()) {
            VfioUserSocket.closeAll(m.fds()); // only SET_IRQS and DMA_MAP keep descriptors
        }
        if (m.oversize()) {
            error(h, Errno.E2BIG);
            return;
        }
        VfioUserCommand cmd = VfioUserCommand.of(h.command());
        if (!negotiated && cmd != VfioUserCommand.VERSION) {
            VfioUserSocket.closeAll(m.fds()); // a DMA_MAP or SET_IRQS before VERSION keeps nothing
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
                case DMA_MAP -> dmaMap(h, p, m.fds());
                case DMA_UNMAP -> dmaUnmap(h, p);
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

    // ---- DMA_MAP / DMA_UNMAP ----

    private static boolean pageAligned(long v) {
        return (v & (Linux.PAGE_SIZE - 1)) == 0;
    }

    /** The file behind an fd (device and inode), to tell whether a repeated DMA_MAP names the same memory. */
    private static Object fileOf(int fd) {
        try {
            java.nio.file.Path p = java.nio.file.Path.of("/proc/self/fd/" + fd);
            return java.util.List.of(java.nio.file.Files.getAttribute(p, "unix:dev"), java.nio.file.Files.getAttribute(p, "unix:ino"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void dmaMap(VfioUserHeader h, ByteBuffer p, int[] fds) throws IOException {
        VfioUserPayloads.DmaMap q = VfioUserPayloads.DmaMap.decode(p);
        int fd = fds.length == 1 ? fds[0] : -1;
        Errno refusal = null;
        long last = q == null ? 0 : q.address() + q.size() - 1;
        if (container == null) {
            refusal = Errno.EOPNOTSUPP;
        } else if (q == null || Integer.compareUnsigned(q.argsz(), VfioUserPayloads.DmaMap.SIZE) < 0 || fds.length > 1
                || (q.flags() & ~(VfioUserPayloads.DmaMap.FLAG_READ | VfioUserPayloads.DmaMap.FLAG_WRITE)) != 0
                || q.size() == 0 || Long.compareUnsigned(last, q.address()) < 0
                || (fd >= 0 && !(pageAligned(q.address()) && pageAligned(q.size()) && pageAligned(q.offset())))) {
            refusal = Errno.EINVAL;
        }
        if (refusal != null) {
            VfioUserSocket.closeAll(fds);
            error(h, refusal);
            return;
        }
        Object file = fd >= 0 ? fileOf(fd) : null;
        Map.Entry<Long, DmaRegion> below = regions.floorEntry(last);
        if (below != null && Long.compareUnsigned(below.getValue().last(), q.address()) >= 0) {
            DmaRegion r = below.getValue();
            boolean same = r.address() == q.address() && r.size() == q.size() && r.offset() == q.offset()
                    && r.flags() == q.flags() && (r.mapping() == null) == (fd < 0)
                    && (fd < 0 || (file != null && file.equals(r.file())));
            VfioUserSocket.closeAll(fds);
            if (same) {
                reply(h, new byte[0]);
            } else {
                error(h, Errno.EINVAL); // overlaps a mapped range
            }
            return;
        }
        if (regions.size() >= maxDmaRegions) {
            VfioUserSocket.closeAll(fds);
            error(h, Errno.EINVAL);
            return;
        }
        HostMapping mapping = null;
        if (fd >= 0) {
            int prot = ((q.flags() & VfioUserPayloads.DmaMap.FLAG_READ) != 0 ? Linux.PROT_READ : 0)
                    | ((q.flags() & VfioUserPayloads.DmaMap.FLAG_WRITE) != 0 ? Linux.PROT_WRITE : 0);
            try {
                mapping = memory.map("vfio-user DMA", fd, q.offset(), q.size(), prot);
            } catch (ErrnoException e) {
                VfioUserSocket.closeAll(fds);
                throw e;
            }
            try {
                container.mapDma(new org.jvmm.vfio.iommu.DmaMap(q.flags(), new HostAddress(mapping.address().value()),
                        new Iova(q.address()), q.size()));
            } catch (RuntimeException e) {
                mapping.close(); // munmaps and closes the fd
                throw e;
            }
        }
        regions.put(q.address(), new DmaRegion(q.address(), q.size(), q.offset(), q.flags(), mapping, file));
        reply(h, new byte[0]);
    }

    private void dmaUnmap(VfioUserHeader h, ByteBuffer p) throws IOException {
        if (container == null) {
            error(h, Errno.EOPNOTSUPP);
            return;
        }
        VfioUserPayloads.DmaUnmap q = VfioUserPayloads.DmaUnmap.decode(p);
        if (q == null || Integer.compareUnsigned(q.argsz(), VfioUserPayloads.DmaUnmap.SIZE) < 0
                || (q.flags() != 0 && q.flags() != VfioUserPayloads.DmaUnmap.FLAG_ALL)
                || (q.flags() == VfioUserPayloads.DmaUnmap.FLAG_ALL && (q.address() != 0 || q.size() != 0))) {
            error(h, Errno.EINVAL); // also the dirty bitmap: this server keeps no dirty log
            return;
        }
        if (q.flags() == VfioUserPayloads.DmaUnmap.FLAG_ALL) {
            for (DmaRegion r : regions.values()) {
                release(r);
                regions.remove(r.address());
            }
        } else {
            DmaRegion r = regions.get(q.address());
            if (r == null || r.size() != q.size()) {
                error(h, Errno.ENOENT);
                return;
            }
            release(r);
            regions.remove(r.address());
        }
        reply(h, q.toBytes());
    }

    // ---- DMA_READ / DMA_WRITE: the server asks, the client answers ----

    /**
     * The device's DMA at {@code iova}: -1 when no fd-less range holds its first byte (the
     * platform's port serves it), else the bytes moved, all or nothing (0: refused).
     */
    long messageDma(long iova, MemorySegment buffer, boolean toMemory, boolean busMaster) {
        Map.Entry<Long, DmaRegion> e = regions.floorEntry(iova);
        if (e == null || Long.compareUnsigned(e.getValue().last(), iova) < 0 || e.getValue().mapping() != null) {
            return -1;
        }
        DmaRegion r = e.getValue();
        long size = buffer.byteSize();
        long end = iova + size - 1;
        int need = toMemory ? VfioUserPayloads.DmaMap.FLAG_WRITE : VfioUserPayloads.DmaMap.FLAG_READ;
        if (!busMaster || Long.compareUnsigned(end, iova) < 0 || Long.compareUnsigned(end, r.last()) > 0
                || (r.flags() & need) == 0 || ended != null) {
            dmaFailures.increment();
            return 0;
        }
        long chunk = Math.max(1, xferSize);
        for (long done = 0; done < size; ) {
            int n = (int) Math.min(Math.min(chunk, size - done), Integer.MAX_VALUE - 64);
            MemorySegment part = buffer.asSlice(done, n);
            VfioUserPayloads.DmaAccess a = new VfioUserPayloads.DmaAccess(iova + done, n);
            VfioUserSocket.Message m = toMemory
                    ? request(VfioUserCommand.DMA_WRITE, a.withData(part.toArray(ValueLayout.JAVA_BYTE)))
                    : request(VfioUserCommand.DMA_READ, a.toBytes());
            if (m == null || m.header().isError() || m.header().command() != (toMemory ? VfioUserCommand.DMA_WRITE
                    : VfioUserCommand.DMA_READ).number()) {
                dmaFailures.increment();
                return 0;
            }
            if (!toMemory) {
                ByteBuffer rp = m.payloadBuffer();
                VfioUserPayloads.DmaAccess got = VfioUserPayloads.DmaAccess.decode(rp);
                if (!a.equals(got) || rp.remaining() != n) {
                    dmaFailures.increment();
                    return 0;
                }
                MemorySegment.copy(MemorySegment.ofBuffer(rp.slice()), 0, part, 0, n);
            }
            done += n;
        }
        return size;
    }

    /**
     * Sends a command to the client and waits for the reply the reader hands over: null when the
     * client is gone or silent for {@value #DMA_REPLY_TIMEOUT_SECONDS} s.
     */
    private VfioUserSocket.Message request(VfioUserCommand cmd, byte[] payload) {
        CompletableFuture<VfioUserSocket.Message> f = new CompletableFuture<>();
        try {
            synchronized (sendLock) {
                int id = nextRequestId++ & 0xffff;
                pending.put(id, f);
                if (ended != null) {
                    return null; // the reader has stopped: nobody would hand the answer over
                }
                socket.send(VfioUserHeader.command(id, cmd, payload.length), payload);
            }
            dmaMessages.increment();
            VfioUserSocket.Message m = f.get(DMA_REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (m != null && m.header().command() != cmd.number()) {
                return null; // an answer to another command under this id
            }
            return m;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            pending.values().remove(f);
        }
    }

    /** A reply from the client: to the device thread that waits for it; nothing else waits for one. */
    private void deliver(VfioUserSocket.Message m) {
        CompletableFuture<VfioUserSocket.Message> f = pending.get(m.header().messageId());
        if (f != null) {
            f.complete(m);
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
        synchronized (keptFds) {
            keepIrqFds(action, type, s, fds);
        }
        reply(h, new byte[0]);
    }

    private void keepIrqFds(int action, int type, VfioUserPayloads.SetIrqs s, int[] fds) {
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
        xferSize = xfer;
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
        if (q == null || Integer.compareUnsigned(q.argsz(), VfioUserPayloads.RegionInfo.SIZE) < 0) {
            error(h, Errno.EINVAL);
            return;
        }
        RegionInfo r;
        try {
            r = device.getRegionInfo(q.index());
        } catch (ErrnoException e) {
            if (Integer.compareUnsigned(q.index(), device.getInfo().numRegions()) >= 0) {
                throw e;
            }
            // an index the device counts but does not implement (vfio-pci's VGA region of a
            // function that is no VGA device): libvfio-user answers such a region as empty
            r = new RegionInfo(q.index(), 0, 0, 0, java.util.List.of());
        }
        int flags = r.flags() & ~(REGION_FLAG_MMAP | REGION_FLAG_CAPS);
        SharedRegion sh = shared.get(q.index());
        if (sh == null || !r.mmappable()) {
            ByteBuffer out = ByteBuffer.allocate(VfioUserPayloads.RegionInfo.SIZE);
            new VfioUserPayloads.RegionInfo(VfioUserPayloads.RegionInfo.SIZE, flags, q.index(), 0, r.size(), 0).encode(out);
            reply(h, out.array());
            return;
        }
        VfioUserPayloads.SparseMmap cap;
        RegionCapability.SparseMmap areas = r.sparseMmap();
        if (areas == null) {
            cap = new VfioUserPayloads.SparseMmap(new long[] {0}, new long[] {r.size()});
        } else {
            long[] o = new long[areas.areas().size()];
            long[] z = new long[o.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = areas.areas().get(i).offset();
                z[i] = areas.areas().get(i).size();
            }
            cap = new VfioUserPayloads.SparseMmap(o, z);
        }
        int needed = VfioUserPayloads.RegionInfo.SIZE + cap.byteSize();
        boolean fits = Integer.compareUnsigned(q.argsz(), needed) >= 0;
        ByteBuffer out = ByteBuffer.allocate(fits ? needed : VfioUserPayloads.RegionInfo.SIZE);
        new VfioUserPayloads.RegionInfo(needed, flags | REGION_FLAG_MMAP | (fits ? REGION_FLAG_CAPS : 0), q.index(),
                fits ? VfioUserPayloads.RegionInfo.SIZE : 0, r.size(), sh.fdOffset()).encode(out);
        if (fits) {
            cap.encode(out);
            reply(h, out.array(), sh.fd());
        } else {
            reply(h, out.array());
        }
    }

    private void irqInfo(VfioUserHeader h, ByteBuffer p) throws IOException {
        VfioUserPayloads.IrqInfo q = VfioUserPayloads.IrqInfo.decode(p);
        if (q == null) {
            error(h, Errno.EINVAL);
            return;
        }
        IrqInfo i;
        try {
            i = device.getIrqInfo(q.index());
        } catch (ErrnoException e) {
            if (Integer.compareUnsigned(q.index(), device.getInfo().numIrqs()) >= 0) {
                throw e;
            }
            // an index the device counts but lacks (vfio-pci's ERR of a conventional PCI
            // function): libvfio-user answers it with no vectors
            i = new IrqInfo(q.index(), 0, 0);
        }
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

    private void reply(VfioUserHeader h, byte[] payload, int... fds) throws IOException {
        if (!h.noReply()) {
            synchronized (sendLock) {
                socket.send(VfioUserHeader.reply(h, payload.length), payload, fds);
            }
        }
    }

    private void error(VfioUserHeader h, Errno errno) throws IOException {
        error(h, errno.number());
    }

    /** An error reply; none for a command sent with no-reply, failed or not (as libvfio-user). */
    private void error(VfioUserHeader h, int errno) throws IOException {
        if (h.noReply()) {
            return;
        }
        synchronized (sendLock) {
            socket.send(VfioUserHeader.errorReply(h, errno), new byte[0]);
        }
    }
}
