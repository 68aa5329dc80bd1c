package org.jvmm.vfiouser;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jvmm.address.HostAddress;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.host.sys.Linux;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A VFIO device file whose device lives in another process, reached over vfio-user (QEMU's
 * vfio-user-pci, hw/vfio-user/): each call of {@link VfioDeviceFile} becomes the command of the
 * same meaning on the socket, so the vfio-pci consumer drives it unchanged.
 *
 * <ul>
 * <li>Regions are addressed as vfio-pci does, {@code index << 40} in the file; a region whose
 * GET_REGION_INFO reply carries an fd is reported mmap-able and {@link #mmap} maps that fd
 * shared (asking again for a fresh fd each time); without an fd the MMAP flag is cleared, so the
 * consumer traps every access into REGION_READ / REGION_WRITE.</li>
 * <li>Trapped BAR writes of 1, 2, 4 or 8 bytes are posted, as QEMU's client posts them
 * (hw/vfio-user/device.c; {@link #postedWrites} off is its x-no-posted-writes): REGION_WRITE with
 * no-reply, not waited for; the server serves commands in order, so a later read sees the write.
 * A server's refusal of a posted write is not answered and is lost, as a posted PCI write's;
 * config space writes and other sizes wait for the reply.</li>
 * <li>SET_IRQS sends the consumer's eventfds with the message (SCM_RIGHTS); a vector detached
 * with no eventfd (VFIO's fd -1, which cannot travel) gets a fresh eventfd nobody waits on, so
 * its interrupts are lost as with -1.</li>
 * <li>A lost server (the socket closed or broken) is reported once through {@code report}; from
 * then on region reads are all-ones, writes, SET_IRQS and reset are dropped, as a device removed
 * by surprise: the VMM and the guest go on. A server's refusal of a register access reads
 * all-ones too; its refusal of a setup call is an {@link ErrnoException} with its errno.</li>
 * </ul>
 *
 * <p>Thread-safe: commands are serialized on the connection; concurrent trapped accesses wait
 * their turn.
 */
public final class VfioUserDevice implements VfioDeviceFile {
    /** The VFIO device-file offset of region {@code index} (vfio-pci's layout). */
    public static final int REGION_SHIFT = 40;
    private static final long IN_REGION = (1L << REGION_SHIFT) - 1;
    private static final int MAX_FDS = 16;
    /** vfio-pci's region indexes 0-5 are the BARs; config space (7), the ROM and VGA are not posted. */
    private static final int LAST_BAR = 5;

    private volatile boolean postedWrites = true;

    private final String name;
    private final VfioUserClient client;
    private final HostMemoryRegistry memory;
    private final DeviceInfo info;
    private final ConcurrentHashMap<Integer, RegionInfo> regions = new ConcurrentHashMap<>();
    private final List<FdMapping> mappings = new ArrayList<>();
    private final List<Runnable> closeHooks = new ArrayList<>();
    private volatile boolean closed;

    private VfioUserDevice(String name, VfioUserClient client, HostMemoryRegistry memory) throws IOException {
        this.name = name;
        this.client = client;
        this.memory = memory;
        VfioUserPayloads.DeviceInfo d = client.deviceInfo();
        if (d == null) {
            throw new IOException("vfio-user DEVICE_GET_INFO: short reply");
        }
        this.info = new DeviceInfo(d.flags(), d.numRegions(), d.numIrqs());
    }

    /**
     * Connects to the server listening on {@code socketPath}, negotiates the version and reads
     * the device's info. {@code memory} is the registry region fds are mapped into (the machine's,
     * so a mapped BAR can become a memslot). Errors name the socket and what went wrong: no such
     * socket, not a socket, connection refused, a version the server does not speak.
     */
    public static VfioUserDevice connect(String socketPath, HostMemoryRegistry memory, Consumer<String> report)
            throws IOException {
        Path p = Path.of(socketPath);
        if (!Files.exists(p)) {
            throw new IOException("vfio-user socket " + socketPath + ": no such socket (is the server running?)");
        }
        if (!isSocket(p)) {
            throw new IOException("vfio-user socket " + socketPath + ": not a socket");
        }
        VfioUserSocket s;
        try {
            s = VfioUserSocket.connect(socketPath, MAX_FDS, VfioUserHeader.SIZE + 4096);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().endsWith("errno 111")) {
                throw new IOException("vfio-user socket " + socketPath + ": connection refused (no server is listening)", e);
            }
            throw e;
        }
        VfioUserClient c = new VfioUserClient(s, report);
        try {
            c.negotiate(MAX_FDS, VfioUserPayloads.DEFAULT_MAX_DATA_XFER_SIZE);
        } catch (IOException e) {
            c.close();
            throw new IOException("vfio-user socket " + socketPath + ": version negotiation failed: " + e.getMessage(), e);
        }
        try {
            return new VfioUserDevice("vfio-user:" + socketPath, c, memory);
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode");
            return mode instanceof Integer m && (m & 0170000) == 0140000;
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: let connect answer
        }
    }

    /** Over an already connected and negotiated client (tests, a socket pair). */
    public static VfioUserDevice over(String name, VfioUserClient client, HostMemoryRegistry memory) throws IOException {
        return new VfioUserDevice(name, client, memory);
    }

    /**
     * Runs {@code hook} at {@link #close}, before the connection closes (the DMA listener leaves
     * the address space then, unmapping what it mapped); hooks run last added first.
     */
    public synchronized void onClose(Runnable hook) {
        closeHooks.add(hook);
    }

    /**
     * Whether trapped BAR writes of 1, 2, 4 or 8 bytes go posted (the default, as QEMU's client
     * unless x-no-posted-writes): sent with no-reply, not waited for. Config space writes, and
     * writes of other sizes, always wait for the server's reply.
     */
    public VfioUserDevice postedWrites(boolean on) {
        this.postedWrites = on;
        return this;
    }

    /** The connection, for the DMA listener and for counters. */
    public VfioUserClient client() {
        return client;
    }

    /** True once the server has gone away. */
    public boolean serverLost() {
        return client.gone();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceInfo getInfo() {
        live("VFIO_DEVICE_GET_INFO");
        return info;
    }

    @Override
    public RegionInfo getRegionInfo(int index) {
        live("VFIO_DEVICE_GET_REGION_INFO");
        RegionInfo r = regions.get(index);
        if (r != null) {
            return r;
        }
        VfioUserClient.MappableRegion m;
        try {
            m = client.mappableRegionInfo(index);
        } catch (VfioUserClient.Refused e) {
            throw new ErrnoException("VFIO_DEVICE_GET_REGION_INFO", e.errno(), name + " region " + index);
        } catch (IOException e) {
            client.lost(e);
            throw new ErrnoException("VFIO_DEVICE_GET_REGION_INFO", Errno.ENODEV, name + ": " + e.getMessage());
        }
        VfioUserSocket.closeAll(m.fd());
        int flags = m.info().flags() & (VfioUapi.VFIO_REGION_INFO_FLAG_READ | VfioUapi.VFIO_REGION_INFO_FLAG_WRITE);
        List<RegionCapability> caps = List.of();
        if (m.fd() >= 0 && (m.info().flags() & VfioUserPayloads.RegionInfo.FLAG_MMAP) != 0) {
            flags |= VfioUapi.VFIO_REGION_INFO_FLAG_MMAP;
            if (m.sparse() != null) {
                List<RegionCapability.Area> areas = new ArrayList<>();
                for (int i = 0; i < m.sparse().areas(); i++) {
                    areas.add(new RegionCapability.Area(m.sparse().offsets()[i], m.sparse().sizes()[i]));
                }
                caps = List.of(new RegionCapability.SparseMmap(areas));
                flags |= VfioUapi.VFIO_REGION_INFO_FLAG_CAPS;
            }
        }
        r = new RegionInfo(index, flags, m.info().size(), (long) index << REGION_SHIFT, caps);
        regions.put(index, r);
        return r;
    }

    @Override
    public long read(long fileOffset, MemorySegment buffer) {
        live("pread");
        int region = (int) (fileOffset >>> REGION_SHIFT);
        long offset = fileOffset & IN_REGION;
        int n = (int) buffer.byteSize();
        if (n == 1 || n == 2 || n == 4 || n == 8) {
            Bytes.storeLe(buffer, 0, n, client.regionRead(region, offset, n));
            return n;
        }
        byte[] b = new byte[n];
        client.regionRead(region, offset, b);
        MemorySegment.copy(b, 0, buffer, ValueLayout.JAVA_BYTE, 0, n);
        return n;
    }

    @Override
    public long write(long fileOffset, MemorySegment buffer) {
        live("pwrite");
        int region = (int) (fileOffset >>> REGION_SHIFT);
        long offset = fileOffset & IN_REGION;
        int n = (int) buffer.byteSize();
        if ((n == 1 || n == 2 || n == 4 || n == 8) && postedWrites && region <= LAST_BAR) {
            client.postedRegionWrite(region, offset, n, Bytes.loadLe(buffer, 0, n));
        } else if (n == 1 || n == 2 || n == 4 || n == 8) {
            client.regionWrite(region, offset, n, Bytes.loadLe(buffer, 0, n));
        } else {
            client.regionWrite(region, offset, buffer.toArray(ValueLayout.JAVA_BYTE));
        }
        return n;
    }

    /**
     * Maps {@code length} bytes of a region whose server sent an fd, shared: the fd is asked for
     * anew (GET_REGION_INFO) and the mapping owns it. EINVAL for a region without an fd or a
     * range outside the region.
     */
    @Override
    public RegionMapping mmap(long fileOffset, long length) {
        live("mmap");
        int index = (int) (fileOffset >>> REGION_SHIFT);
        long offset = fileOffset & IN_REGION;
        RegionInfo r = getRegionInfo(index);
        if (!r.mmappable() || length <= 0 || Long.compareUnsigned(offset, r.size()) > 0
                || Long.compareUnsigned(length, r.size() - offset) > 0) {
            throw new ErrnoException("mmap", Errno.EINVAL, name + " region " + index + ": offset=0x"
                    + Long.toHexString(offset) + ", length=0x" + Long.toHexString(length)
                    + (r.mmappable() ? "" : " (the server sent no fd for it)"));
        }
        VfioUserClient.MappableRegion m;
        try {
            if (client.gone()) {
                throw new IOException("the server is gone");
            }
            m = client.mappableRegionInfo(index);
        } catch (VfioUserClient.Refused e) {
            throw new ErrnoException("mmap", e.errno(), name + " region " + index + ": " + e.getMessage());
        } catch (IOException e) {
            // the first touch of a BAR after the server went: a bus error, which the trap reads as all-ones
            client.lost(e);
            throw new BusErrorException(name, index, offset, (int) Math.min(length, Integer.MAX_VALUE), e.getMessage());
        }
        if (m.fd() < 0) {
            throw new ErrnoException("mmap", Errno.EINVAL, name + " region " + index + ": the server sent no fd");
        }
        HostMapping h;
        try {
            h = memory.map(name + "-region" + index, m.fd(), m.info().offset() + offset, length,
                    Linux.PROT_READ | Linux.PROT_WRITE);
        } catch (RuntimeException e) {
            VfioUserSocket.closeAll(m.fd());
            throw e;
        }
        FdMapping f = new FdMapping(index, offset, h);
        synchronized (mappings) {
            mappings.add(f);
        }
        return f;
    }

    @Override
    public IrqInfo getIrqInfo(int index) {
        live("VFIO_DEVICE_GET_IRQ_INFO");
        try {
            VfioUserPayloads.IrqInfo i = client.irqInfo(index);
            return new IrqInfo(i.index(), i.flags(), i.count());
        } catch (VfioUserClient.Refused e) {
            throw new ErrnoException("VFIO_DEVICE_GET_IRQ_INFO", e.errno(), name + " irq index " + index);
        } catch (IOException e) {
            client.lost(e);
            throw new ErrnoException("VFIO_DEVICE_GET_IRQ_INFO", Errno.ENODEV, name + ": " + e.getMessage());
        }
    }

    /**
     * SET_IRQS; the server's refusal is an ErrnoException with its errno; with the server lost it
     * does nothing (the interrupt will never come, as from a removed device).
     */
    @Override
    public void setIrqs(IrqSet set) {
        live("VFIO_DEVICE_SET_IRQS");
        byte[] bools = new byte[0];
        int[] fds = new int[0];
        List<EventFd> stand = new ArrayList<>();
        try {
            switch (set.data()) {
                case IrqData.None n -> {
                }
                case IrqData.Bools b -> {
                    bools = new byte[b.length()];
                    for (int i = 0; i < bools.length; i++) {
                        bools[i] = (byte) (b.get(i) ? 1 : 0);
                    }
                }
                case IrqData.EventFds e -> {
                    fds = new int[e.fds().size()];
                    for (int i = 0; i < fds.length; i++) {
                        EventFd fd = e.fds().get(i);
                        if (fd == null) {
                            fd = EventFd.create();
                            stand.add(fd);
                        }
                        fds[i] = fd.fd();
                    }
                }
            }
            client.setIrqs(set.flags(), set.index(), set.start(), set.count(), bools, fds);
        } catch (VfioUserClient.Refused e) {
            throw new ErrnoException("VFIO_DEVICE_SET_IRQS", e.errno(), name + ": " + set);
        } finally {
            stand.forEach(EventFd::close);
        }
    }

    /** DEVICE_RESET; dropped when the server is lost. Mappings stay (the server revokes nothing). */
    @Override
    public void reset() {
        live("VFIO_DEVICE_RESET");
        client.reset();
    }

    private void live(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "device " + name + " fd is closed");
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Closes the connection (the server releases what this client set up) and unmaps every region mapping left. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("vfio-user device " + name + " closed twice");
            }
            closed = true;
        }
        for (Runnable hook : closeHooks.reversed()) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                // a teardown that cannot reach the server: the connection goes below anyway
            }
        }
        client.close();
        synchronized (mappings) {
            for (FdMapping m : mappings) {
                if (!m.isClosed()) {
                    m.close();
                }
            }
            mappings.clear();
        }
    }

    @Override
    public String toString() {
        return "VfioUserDevice[" + name + (closed ? ", closed" : "") + "]";
    }

    /** A region mapped from the server's fd: RAM-like memory shared with the server. */
    private static final class FdMapping implements RegionMapping {
        private final int region;
        private final long regionOffset;
        private final HostMapping mapping;

        FdMapping(int region, long regionOffset, HostMapping mapping) {
            this.region = region;
            this.regionOffset = regionOffset;
            this.mapping = mapping;
        }

        @Override
        public int region() {
            return region;
        }

        @Override
        public long regionOffset() {
            return regionOffset;
        }

        @Override
        public long length() {
            return mapping.size();
        }

        @Override
        public long read(long offset, int size) {
            return Bytes.loadLe(mapping.segment(), offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            Bytes.storeLe(mapping.segment(), offset, size, value);
        }

        @Override
        public MemorySegment fault() {
            return mapping.segment();
        }

        @Override
        public HostAddress hostAddress() {
            return mapping.address();
        }

        /** The server revokes nothing over vfio-user: the listener is never run. */
        @Override
        public void addRevokeListener(Runnable listener) {
        }

        @Override
        public boolean isClosed() {
            return mapping.isClosed();
        }

        @Override
        public synchronized void close() {
            mapping.close();
        }
    }
}
