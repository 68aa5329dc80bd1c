package org.jvmm.devices.mbochs;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmm.address.HostAddress;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.ConfigBytes;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.GfxDmabuf;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.mdev.MdevDeviceOps;
import org.jvmm.vfio.uapi.GfxPlaneInfo;
import org.jvmm.vfio.uapi.RegionGfxEdid;

/**
 * One mbochs mdev (samples/vfio-mdev/mbochs.c): a bochs-dispi display with {@code memsize} bytes
 * of video memory.
 *
 * <ul>
 * <li>A-49 config space (255 bytes): 1234:1111, subsystem 1af4:1100, command I/O|memory, class
 *     0x0380, revision 1; BAR0 32-bit prefetchable memory of the video memory's size, BAR2 32-bit
 *     memory of 4 KiB; sizing a BAR reads back its mask with the flag bits kept.</li>
 * <li>A-50 regions (GET_INFO: PCI, 10 regions, 5 IRQ indexes): config at file offset 0, BAR2 (MMIO)
 *     at 0x1000, the EDID region (index 9, READ|WRITE|CAPS, type GFX/EDID) at 0x2000, BAR0 (video
 *     memory, READ|WRITE|MMAP) at 0x3000; indexes 1, 3-8 size 0; 10 and above EINVAL.</li>
 * <li>A-51 BAR2: 0x000-0x3ff the EDID blob while the link is up (zero otherwise or past
 *     {@code edid_size}); 0x500-0x515 the 11 dispi registers, 16-bit accesses only; anything else
 *     reads zero and ignores writes. RESET zeroes them, sets id 0xB0C5 and the memory in 64 KiB
 *     units.</li>
 * <li>A-52, A-53 the framebuffer and QUERY_GFX_PLANE (DMABUF only; PROBE|DMABUF succeeds,
 *     PROBE|REGION is EINVAL), ids from 1, one per distinct mode. As the sample does, the first
 *     query of a new mode allocates the buffer but answers ENOMEM; the next query finds it.</li>
 * <li>A-54 GET_GFX_DMABUF: unknown id ENOENT, an offset not page aligned EINVAL, else a new fd
 *     on the buffer (exported once). Buffers not exported are dropped at close_device; exported
 *     ones live until their last fd closes. Every IRQ index reports count 0; SET_IRQS EINVAL.</li>
 * <li>A-55 mmap of video memory: offset exactly 0x3000, length at most the memory, else EINVAL;
 *     pages are allocated (zeroed) on first touch; {@link #pagesPresent()} counts them.</li>
 * <li>A-56 EDID region: the 24-byte register block (4-byte aligned 4-byte accesses, only
 *     {@code link_state} and {@code edid_size} writable, a size past 1024 clamped), the blob at
 *     0x800, writes past 1024 bytes ignored.</li>
 * </ul>
 *
 * <p>Where this model differs from the stored sample: pread/pwrite of BAR0 use the memory's own
 * offset (0x3000), where the stored copy subtracts the MMIO offset and lands two pages off the
 * mmap view (A-57, a bug); and [model decision] a mapping of the video memory is revoked (its
 * faulted-in memory taken away, as vfio-pci zaps BARs) when the guest turns memory decode off in
 * the command register and on RESET, so a VMM sees first touch fault in, revoke, and fault in
 * again. The sample ignores command writes and never zaps; without a revoke the two agree.
 *
 * <p>Thread-safe: every operation holds this object's monitor (the sample's ops_lock), except
 * accesses through a faulted-in mapping's memory, which are plain memory.
 */
public final class MbochsDevice implements MdevDeviceOps {
    static final int CONFIG_SIZE = 0xff;
    public static final long MMIO_BAR_OFFSET = 0x1000;
    public static final int MMIO_BAR_SIZE = 0x1000;
    public static final long EDID_REGION_OFFSET = 0x2000;
    public static final int EDID_REGION_SIZE = 0x1000;
    public static final long MEMORY_BAR_OFFSET = 0x3000;
    public static final int EDID_BLOB_OFFSET = EDID_REGION_SIZE / 2;
    public static final int EDID_REGION_INDEX = VFIO_PCI_NUM_REGIONS;
    public static final int NUM_REGIONS = VFIO_PCI_NUM_REGIONS + 1;
    static final int PAGE = 4096;

    // bochs dispi registers (the VBE_DISPI_INDEX_* of include/video/bochs or QEMU's vga)
    public static final int DISPI_ID = 0, DISPI_XRES = 1, DISPI_YRES = 2, DISPI_BPP = 3, DISPI_ENABLE = 4,
            DISPI_BANK = 5, DISPI_VIRT_WIDTH = 6, DISPI_VIRT_HEIGHT = 7, DISPI_X_OFFSET = 8, DISPI_Y_OFFSET = 9,
            DISPI_VIDEO_MEMORY_64K = 10;
    public static final int DISPI_REGS = 11;
    public static final int DISPI_MMIO = 0x500;
    public static final int DISPI_ID5 = 0xB0C5;
    public static final int DISPI_ENABLED = 0x01;

    private final String name;
    private final long memsize;
    /** The video memory, from the host's process memory (so a VMM can hand it to KVM as a memslot). */
    private final HostMapping videoMemory;
    private boolean released;
    private final MemorySegment memory;
    private final BitSet present = new BitSet();
    private final byte[] config = new byte[CONFIG_SIZE];
    private final int[] barMask = new int[3];
    private final int[] vbe = new int[DISPI_REGS];
    private final int[] edidRegs = new int[RegionGfxEdid.SIZE / 4];
    private final byte[] edidBlob = new byte[0x400];
    private final List<Dmabuf> dmabufs = new ArrayList<>();
    private final List<Mapping> mappings = new CopyOnWriteArrayList<>();
    private int nextId = 1;
    private int activeId;
    private long faultIns;
    private long revocations;

    /** One framebuffer mode (mbochs_mode): what QUERY_GFX_PLANE reports and a dmabuf is made for. */
    record Mode(int drmFormat, int width, int height, int stride, long size, long offset) {
    }

    private final class Dmabuf {
        final int id;
        final Mode mode;
        int fds;
        boolean exported;

        Dmabuf(int id, Mode mode) {
            this.id = id;
            this.mode = mode;
        }
    }

    MbochsDevice(String name, HostMapping videoMemory, int maxX, int maxY) {
        this.name = name;
        this.videoMemory = videoMemory;
        this.memsize = videoMemory.size();
        this.memory = videoMemory.segment();
        edidRegs[RegionGfxEdid.MAX_XRES / 4] = maxX;
        edidRegs[RegionGfxEdid.MAX_YRES / 4] = maxY;
        edidRegs[RegionGfxEdid.EDID_OFFSET / 4] = EDID_BLOB_OFFSET;
        edidRegs[RegionGfxEdid.EDID_MAX_SIZE / 4] = edidBlob.length;
        ConfigBytes.put16(config, 0x00, 0x1234);
        ConfigBytes.put16(config, 0x02, 0x1111);
        ConfigBytes.put16(config, 0x2c, 0x1af4);
        ConfigBytes.put16(config, 0x2e, 0x1100);
        ConfigBytes.put16(config, 0x04, 0x0003); // PCI_COMMAND_IO | PCI_COMMAND_MEMORY
        ConfigBytes.put16(config, 0x0a, 0x0380); // PCI_CLASS_DISPLAY_OTHER
        config[0x08] = 0x01;
        ConfigBytes.put32(config, 0x10, 0x08); // memory, 32-bit, prefetchable
        barMask[0] = (int) -memsize;
        ConfigBytes.put32(config, 0x18, 0x00); // memory, 32-bit
        barMask[2] = -MMIO_BAR_SIZE;
        resetLocked();
    }

    /** Video memory in bytes. */
    public long memorySize() {
        return memsize;
    }

    /** Pages of video memory allocated so far (first touched through pread/pwrite, a mapping or a dmabuf). */
    public synchronized int pagesPresent() {
        return present.cardinality();
    }

    /** Times a mapping of the video memory was faulted in (first touch after mmap or a revoke). */
    public synchronized long faultIns() {
        return faultIns;
    }

    /** Times the mappings of the video memory were revoked (decode off, reset). */
    public synchronized long revocations() {
        return revocations;
    }

    /** The dispi register {@code index} (for tests and the VMM's view). */
    public synchronized int dispi(int index) {
        return vbe[index];
    }

    // ---- ioctls ----

    @Override
    public DeviceInfo getInfo() {
        return new DeviceInfo(VFIO_DEVICE_FLAGS_PCI, NUM_REGIONS, VFIO_PCI_NUM_IRQS);
    }

    @Override
    public RegionInfo getRegionInfo(int index) {
        if (index < 0 || index >= NUM_REGIONS) {
            throw new ErrnoException("VFIO_DEVICE_GET_REGION_INFO", Errno.EINVAL, name + ": index " + index + " >= "
                    + NUM_REGIONS);
        }
        int rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        return switch (index) {
            case VFIO_PCI_CONFIG_REGION_INDEX -> new RegionInfo(index, rw, CONFIG_SIZE, 0, List.of());
            case VFIO_PCI_BAR0_REGION_INDEX -> new RegionInfo(index, rw | VFIO_REGION_INFO_FLAG_MMAP, memsize,
                    MEMORY_BAR_OFFSET, List.of());
            case 2 -> new RegionInfo(index, rw, MMIO_BAR_SIZE, MMIO_BAR_OFFSET, List.of());
            case EDID_REGION_INDEX -> new RegionInfo(index, rw | VFIO_REGION_INFO_FLAG_CAPS, EDID_REGION_SIZE,
                    EDID_REGION_OFFSET, List.of(new RegionCapability.Type(VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID)));
            default -> new RegionInfo(index, 0, 0, 0, List.of());
        };
    }

    @Override
    public IrqInfo getIrqInfo(int index) {
        if (index < 0 || index >= VFIO_PCI_NUM_IRQS) {
            throw new ErrnoException("VFIO_DEVICE_GET_IRQ_INFO", Errno.EINVAL, name + ": index " + index + " >= "
                    + VFIO_PCI_NUM_IRQS);
        }
        return new IrqInfo(index, 0, 0);
    }

    @Override
    public void setIrqs(IrqSet set) {
        throw new ErrnoException("VFIO_DEVICE_SET_IRQS", Errno.EINVAL, name + ": mbochs has no interrupts (" + set + ")");
    }

    @Override
    public synchronized void reset() {
        resetLocked();
        revokeLocked();
    }

    private void resetLocked() {
        java.util.Arrays.fill(vbe, 0);
        vbe[DISPI_ID] = DISPI_ID5;
        vbe[DISPI_VIDEO_MEMORY_64K] = (int) (memsize >>> 16);
    }

    @Override
    public synchronized void closeDevice() {
        dmabufs.removeIf(d -> !d.exported);
        activeId = 0;
    }

    // ---- framebuffer (A-52, A-53, A-54) ----

    /** mbochs_check_framebuffer: the mode the dispi registers describe, or null when there is none. */
    private Mode framebuffer() {
        if ((vbe[DISPI_ENABLE] & DISPI_ENABLED) == 0 || vbe[DISPI_BPP] != 32) {
            return null;
        }
        int width = vbe[DISPI_XRES];
        int height = vbe[DISPI_YRES];
        int virtWidth = Math.max(vbe[DISPI_VIRT_WIDTH], width);
        int stride = virtWidth * 4;
        long size = (long) stride * height;
        long offset = (long) vbe[DISPI_X_OFFSET] * 4 + (long) vbe[DISPI_Y_OFFSET] * stride;
        if (width < 64 || height < 64 || offset + size > memsize) {
            return null;
        }
        return new Mode(DRM_FORMAT_XRGB8888, width, height, stride, size, offset);
    }

    @Override
    public synchronized void queryGfxPlane(MemorySegment plane) {
        String op = "VFIO_DEVICE_QUERY_GFX_PLANE";
        if (plane.byteSize() < GfxPlaneInfo.MIN_ARGSZ) {
            throw new ErrnoException(op, Errno.EFAULT, name + ": the argument holds " + plane.byteSize() + " bytes");
        }
        int argsz = GfxPlaneInfo.u32(plane, GfxPlaneInfo.ARGSZ);
        if (Integer.compareUnsigned(argsz, GfxPlaneInfo.MIN_ARGSZ) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, name + ": argsz " + argsz + " < " + GfxPlaneInfo.MIN_ARGSZ);
        }
        int flags = GfxPlaneInfo.u32(plane, GfxPlaneInfo.FLAGS);
        if ((flags & VFIO_GFX_PLANE_TYPE_PROBE) != 0) {
            if (flags == (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF)) {
                return;
            }
            throw new ErrnoException(op, Errno.EINVAL, name + ": flags 0x" + Integer.toHexString(flags)
                    + ": mbochs exports dma-bufs only");
        }
        if (flags != VFIO_GFX_PLANE_TYPE_DMABUF) {
            throw new ErrnoException(op, Errno.EINVAL, name + ": flags 0x" + Integer.toHexString(flags)
                    + ": a query asks for DMABUF");
        }
        GfxPlaneInfo.putU64(plane, GfxPlaneInfo.DRM_FORMAT_MOD, 0);
        GfxPlaneInfo.putU32(plane, GfxPlaneInfo.X_POS, 0);
        GfxPlaneInfo.putU32(plane, GfxPlaneInfo.Y_POS, 0);
        GfxPlaneInfo.putU32(plane, GfxPlaneInfo.X_HOT, 0);
        GfxPlaneInfo.putU32(plane, GfxPlaneInfo.Y_HOT, 0);
        Mode mode = GfxPlaneInfo.u32(plane, GfxPlaneInfo.DRM_PLANE_TYPE) == DRM_PLANE_TYPE_PRIMARY ? framebuffer() : null;
        int id = 0;
        if (mode == null) {
            putPlane(plane, 0, 0, 0, 0, 0, 0);
        } else {
            Dmabuf d = find(mode);
            if (d == null) {
                allocate(mode); // the sample drops this result: the first query of a mode answers ENOMEM
                throw new ErrnoException(op, Errno.ENOMEM, name + ": the buffer for a new " + mode.width() + "x"
                        + mode.height() + " mode was allocated; query again");
            }
            id = d.id;
            putPlane(plane, mode.drmFormat(), mode.width(), mode.height(), mode.stride(), (int) mode.size(), id);
        }
        if (GfxPlaneInfo.u32(plane, GfxPlaneInfo.DRM_PLANE_TYPE) == DRM_PLANE_TYPE_PRIMARY && activeId != id) {
            activeId = id;
        }
    }

    private static void putPlane(MemorySegment p, int format, int width, int height, int stride, int size, int id) {
        GfxPlaneInfo.putU32(p, GfxPlaneInfo.DRM_FORMAT, format);
        GfxPlaneInfo.putU32(p, GfxPlaneInfo.WIDTH, width);
        GfxPlaneInfo.putU32(p, GfxPlaneInfo.HEIGHT, height);
        GfxPlaneInfo.putU32(p, GfxPlaneInfo.STRIDE, stride);
        GfxPlaneInfo.putU32(p, GfxPlaneInfo.PLANE_SIZE, size);
        GfxPlaneInfo.putU32(p, GfxPlaneInfo.DMABUF_ID, id);
    }

    private Dmabuf find(Mode mode) {
        for (Dmabuf d : dmabufs) {
            if (d.mode.equals(mode)) {
                return d;
            }
        }
        return null;
    }

    /** mbochs_dmabuf_alloc: a new id, and the framebuffer's pages allocated. */
    private void allocate(Mode mode) {
        dmabufs.add(new Dmabuf(nextId++, mode));
        long first = mode.offset() / PAGE;
        long pages = (mode.size() + PAGE - 1) / PAGE;
        present.set((int) first, (int) (first + pages));
    }

    /** The id QUERY_GFX_PLANE last reported for the primary plane (0 for none). */
    public synchronized int activeDmabufId() {
        return activeId;
    }

    @Override
    public synchronized GfxDmabuf getGfxDmabuf(int dmabufId) {
        String op = "VFIO_DEVICE_GET_GFX_DMABUF";
        Dmabuf d = null;
        for (Dmabuf x : dmabufs) {
            if (x.id == dmabufId) {
                d = x;
            }
        }
        if (d == null) {
            throw new ErrnoException(op, Errno.ENOENT, name + ": no dmabuf " + Integer.toUnsignedString(dmabufId));
        }
        Mode m = d.mode;
        if (m.offset() % PAGE != 0) {
            throw new ErrnoException(op, Errno.EINVAL, name + ": dmabuf " + dmabufId + " starts at 0x"
                    + Long.toHexString(m.offset()) + ", not page aligned");
        }
        d.exported = true;
        d.fds++;
        Dmabuf held = d;
        return new GfxDmabuf(d.id, m.drmFormat(), m.width(), m.height(), m.stride(), memory.asSlice(m.offset(), m.size()),
                () -> dmabufClosed(held));
    }

    private synchronized void dmabufClosed(Dmabuf d) {
        if (--d.fds == 0) {
            dmabufs.remove(d); // the last fd of an exported buffer: mbochs_release_dmabuf
            freeIfUnused();
        }
    }

    /** The mdev's last reference is gone: the video memory goes once no exported dma-buf holds it. */
    synchronized void released() {
        released = true;
        freeIfUnused();
    }

    private void freeIfUnused() {
        if (released && !videoMemory.isClosed() && dmabufs.stream().noneMatch(x -> x.fds > 0)) {
            videoMemory.close();
        }
    }

    /** dma-bufs the device holds (allocated by a query, exported or not). */
    public synchronized int dmabufCount() {
        return dmabufs.size();
    }

    // ---- mmap (A-55) ----

    @Override
    public synchronized RegionMapping mmap(long fileOffset, long length) {
        if (fileOffset != MEMORY_BAR_OFFSET || length <= 0 || length > memsize) {
            throw new ErrnoException("mmap", Errno.EINVAL, name + ": offset=0x" + Long.toHexString(fileOffset)
                    + ", length=0x" + Long.toHexString(length) + ": video memory is mapped at 0x3000, at most 0x"
                    + Long.toHexString(memsize) + " bytes");
        }
        Mapping m = new Mapping(length);
        mappings.add(m);
        return m;
    }

    private void revokeLocked() {
        boolean any = false;
        for (Mapping m : mappings) {
            if (m.faulted) {
                m.faulted = false;
                any = true;
                for (Runnable r : m.listeners) {
                    r.run();
                }
            }
        }
        if (any) {
            revocations++;
        }
    }

    private boolean memoryDecode() {
        return (config[0x04] & 0x02) != 0;
    }

    /** A mapping of video memory: pages allocated on first touch; revoked by decode off or reset. */
    private final class Mapping implements RegionMapping {
        final long length;
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();
        boolean faulted;
        volatile boolean closed;

        Mapping(long length) {
            this.length = length;
        }

        @Override
        public int region() {
            return VFIO_PCI_BAR0_REGION_INDEX;
        }

        @Override
        public long regionOffset() {
            return 0;
        }

        @Override
        public long length() {
            return length;
        }

        private void check(long offset, int size) {
            if (closed) {
                throw new IllegalStateException("mbochs mapping used after munmap");
            }
            if (offset < 0 || offset + size > length) {
                throw new BusErrorException(name, VFIO_PCI_BAR0_REGION_INDEX, offset, size, "SIGBUS: beyond the mapping of 0x"
                        + Long.toHexString(length));
            }
            if (!memoryDecode()) {
                throw new BusErrorException(name, VFIO_PCI_BAR0_REGION_INDEX, offset, size, "memory decode is off");
            }
        }

        @Override
        public long read(long offset, int size) {
            synchronized (MbochsDevice.this) {
                check(offset, size);
                touch(offset, size);
                return Bytes.loadLe(memory, offset, size);
            }
        }

        @Override
        public void write(long offset, int size, long value) {
            synchronized (MbochsDevice.this) {
                check(offset, size);
                touch(offset, size);
                Bytes.storeLe(memory, offset, size, value);
            }
        }

        private void touch(long offset, int size) {
            if (!faulted) {
                faulted = true;
                faultIns++;
            }
            present.set((int) (offset / PAGE), (int) ((offset + size - 1) / PAGE) + 1);
        }

        @Override
        public MemorySegment fault() {
            synchronized (MbochsDevice.this) {
                if (closed) {
                    throw new IllegalStateException("mbochs mapping used after munmap");
                }
                if (!memoryDecode()) {
                    throw new BusErrorException(name, VFIO_PCI_BAR0_REGION_INDEX, 0, 0, "memory decode is off");
                }
                if (!faulted) {
                    faulted = true;
                    faultIns++;
                }
                present.set(0, (int) ((length + PAGE - 1) / PAGE));
                return memory.asSlice(0, length);
            }
        }

        @Override
        public HostAddress hostAddress() {
            return faulted ? new HostAddress(memory.address()) : null;
        }

        @Override
        public void addRevokeListener(Runnable listener) {
            listeners.add(listener);
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            synchronized (MbochsDevice.this) {
                if (closed) {
                    throw new IllegalStateException("mbochs mapping closed twice");
                }
                closed = true;
                mappings.remove(this);
            }
        }
    }

    // ---- pread / pwrite (A-43-style splitting, A-51, A-56) ----

    @Override
    public long read(long fileOffset, MemorySegment buffer) {
        return access("pread", fileOffset, buffer, false);
    }

    @Override
    public long write(long fileOffset, MemorySegment buffer) {
        return access("pwrite", fileOffset, buffer, true);
    }

    private synchronized long access(String op, long pos, MemorySegment buffer, boolean write) {
        long count = buffer.byteSize();
        long done = 0;
        while (done < count) {
            long left = count - done;
            long at = pos + done;
            int size = left >= 4 && at % 4 == 0 ? 4 : left >= 2 && at % 2 == 0 ? 2 : 1;
            long value = 0;
            if (write) {
                for (int i = 0; i < size; i++) {
                    value |= (long) (buffer.get(ValueLayout.JAVA_BYTE, done + i) & 0xff) << (8 * i);
                }
            }
            long r = one(at, size, value, write);
            if (r < 0) {
                throw new ErrnoException(op, Errno.EFAULT, name + ": offset 0x" + Long.toHexString(at) + " size " + size
                        + " is outside config space, BAR2, the EDID registers and video memory");
            }
            if (!write) {
                for (int i = 0; i < size; i++) {
                    buffer.set(ValueLayout.JAVA_BYTE, done + i, (byte) (r >>> (8 * i)));
                }
            }
            done += size;
        }
        return count;
    }

    /** mdev_access for one piece: the value read, 0 for a write, -1 when refused. */
    private long one(long pos, int size, long value, boolean write) {
        if (pos >= 0 && pos + size <= CONFIG_SIZE) {
            if (write) {
                configWrite((int) pos, size, (int) value);
                return 0;
            }
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (long) (config[(int) pos + i] & 0xff) << (8 * i);
            }
            return v;
        }
        if (pos >= MMIO_BAR_OFFSET && pos + size <= MMIO_BAR_OFFSET + MMIO_BAR_SIZE) {
            return mmio((int) (pos - MMIO_BAR_OFFSET), size, (int) value, write);
        }
        if (pos >= EDID_REGION_OFFSET && pos + size <= EDID_REGION_OFFSET + EDID_REGION_SIZE) {
            int off = (int) (pos - EDID_REGION_OFFSET);
            return off < EDID_BLOB_OFFSET ? edidRegs(off, size, (int) value, write) : edidBlob(off - EDID_BLOB_OFFSET, size,
                    value, write);
        }
        if (pos >= MEMORY_BAR_OFFSET && pos + size <= MEMORY_BAR_OFFSET + memsize) {
            long off = pos - MEMORY_BAR_OFFSET;
            present.set((int) (off / PAGE));
            if (write) {
                Bytes.storeLe(memory, off, size, value);
                return 0;
            }
            return Bytes.loadLe(memory, off, size);
        }
        return -1;
    }

    private void configWrite(int offset, int size, int value) {
        switch (offset) {
            case 0x10, 0x18 -> {
                if (size != 4) {
                    return;
                }
                int bar = (offset - 0x10) / 4;
                int addr = value;
                if (addr == 0xffffffff) {
                    addr &= barMask[bar];
                } else {
                    addr &= ~0xf;
                }
                addr |= ConfigBytes.get32(config, offset) & 0xf;
                ConfigBytes.put32(config, offset, addr);
            }
            case 0x04 -> {
                // [model decision] the command register's decode bits are kept; memory decode off revokes
                boolean was = memoryDecode();
                config[0x04] = (byte) ((config[0x04] & ~0x03) | (value & 0x03));
                if (was && !memoryDecode()) {
                    revokeLocked();
                }
            }
            default -> {
                // every other write is ignored, as the sample's handle_pci_cfg_write does
            }
        }
    }

    private long mmio(int offset, int size, int value, boolean write) {
        if (offset < 0x400) { // the EDID blob
            if (write) {
                return 0;
            }
            int edidSize = edidRegs[RegionGfxEdid.EDID_SIZE / 4];
            if (edidRegs[RegionGfxEdid.LINK_STATE / 4] != VFIO_DEVICE_GFX_LINK_STATE_UP || offset + size > edidSize) {
                return 0;
            }
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (long) (edidBlob[offset + i] & 0xff) << (8 * i);
            }
            return v;
        }
        if (offset >= DISPI_MMIO && offset < DISPI_MMIO + 2 * DISPI_REGS && size == 2) {
            int index = (offset - DISPI_MMIO) / 2;
            if (write) {
                vbe[index] = value & 0xffff;
                return 0;
            }
            return vbe[index];
        }
        return 0; // unhandled: reads zero, writes ignored
    }

    private long edidRegs(int offset, int size, int value, boolean write) {
        if (offset + size > RegionGfxEdid.SIZE || size != 4 || offset % 4 != 0) {
            return -1;
        }
        if (!write) {
            return Integer.toUnsignedLong(edidRegs[offset / 4]);
        }
        if (offset == RegionGfxEdid.LINK_STATE) {
            edidRegs[offset / 4] = value;
        } else if (offset == RegionGfxEdid.EDID_SIZE) {
            int max = edidRegs[RegionGfxEdid.EDID_MAX_SIZE / 4];
            edidRegs[offset / 4] = Integer.compareUnsigned(value, max) > 0 ? max : value;
        }
        return 0;
    }

    private long edidBlob(int offset, int size, long value, boolean write) {
        if (offset + size > edidRegs[RegionGfxEdid.EDID_MAX_SIZE / 4]) {
            return 0; // past the blob: ignored, reads zero
        }
        if (write) {
            for (int i = 0; i < size; i++) {
                edidBlob[offset + i] = (byte) (value >>> (8 * i));
            }
            return 0;
        }
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) (edidBlob[offset + i] & 0xff) << (8 * i);
        }
        return v;
    }

    @Override
    public String toString() {
        return "MbochsDevice[" + name + ", " + (memsize >> 20) + " MiB]";
    }
}
