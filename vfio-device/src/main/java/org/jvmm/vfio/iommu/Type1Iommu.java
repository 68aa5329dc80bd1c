package org.jvmm.vfio.iommu;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.memory.LockedMemoryAccount;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.pci.host.IommuHardware;
import org.jvmm.pci.host.IovaRange;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.iommu.HostIommuTlbEntry;

/**
 * The TYPE1 IOMMU backend, v1 and v2 (Linux drivers/vfio/vfio_iommu_type1.c): a set of
 * non-overlapping mappings IOVA -> process memory, pinned and charged to the locked-memory limit
 * at MAP time, and the translation devices' DMA goes through.
 *
 * <p>Rules (numbered as in the project's semantics page): (1) MAP rejects unknown flags, no
 * permission, size 0, misalignment to the smallest IOMMU page, and wraparound with EINVAL;
 * (2) an overlap is EEXIST; (3) past dma_entry_limit ENOSPC, the remainder in DMA_AVAIL;
 * (4) an IOVA outside the usable ranges is EINVAL; (5) pinned bytes are charged (ENOMEM over the
 * limit unless privileged) and given back by unmap and teardown; (6) UNMAP writes back the bytes
 * unmapped, FLAG_ALL needs iova = size = 0, the dirty-bitmap flag combines with neither ALL nor
 * VADDR; (7) v2 refuses to split a mapping (EINVAL), v1 unmaps 0 bytes for a request starting
 * inside one; (8) pinned mdev pages are notified before unmap; (9) GET_INFO builds the
 * MIGRATION, DMA_AVAIL and IOVA_RANGE chain and raises argsz; (11) pin_pages is EACCES on v1 and
 * EPERM on a permission mismatch. Rule 10 (nothing before SET_IOMMU) is the container's.
 *
 * <p>Unlike Linux, where pinned pages outlive the process's munmap, memory here is gone once its
 * {@link HostMapping} is closed: a DMA into a mapping whose memory was freed faults (UNMAPPED)
 * instead of touching it. The VMM must unmap before it frees (its memory listener does).
 *
 * <p>Mappings live in an {@link IovaTree} ordered by unsigned IOVA (sorted primitive blocks):
 * MAP, UNMAP and translation are two small binary searches. Each mapping keeps the memory segment resolved (pinned) at MAP time, so DMA is one
 * lookup plus {@link MemorySegment#copy}.
 *
 * <p>Locking: a read-write lock; MAP/UNMAP/attach/detach/pin take it for writing, DMA and
 * translate for reading. mdev unmap notifications run with it released. The container's lock is
 * taken before this one, never after.
 */
public final class Type1Iommu implements IommuBackend {
    /** PAGE_SIZE of the host. */
    private static final long PAGE_SIZE = 4096;
    private static final long PAGE_MASK = ~(PAGE_SIZE - 1);
    /** VFIO_PIN_PAGES_MAX_ENTRIES. */
    public static final int PIN_PAGES_MAX = 512;
    /** DIRTY_BITMAP_SIZE_MAX: the bitmap for INT_MAX pages, in bytes. */
    private static final long DIRTY_BITMAP_SIZE_MAX = ((((long) Integer.MAX_VALUE) + 63) & ~63L) / 8;

    private final boolean v2;
    private final IommuHardware hardware;
    private final HostMemoryRegistry memory;
    private final LockedMemoryAccount memlock;
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final IovaTree<Mapping> dmas = new IovaTree<>();
    private final ArrayList<Mapping> victims = new ArrayList<>();
    private final Set<IommuGroup> groups = new LinkedHashSet<>();
    private final List<DmaUnmapListener> devices = new CopyOnWriteArrayList<>();
    private int dmaAvail;
    private long pgsizeBitmap = PAGE_MASK;
    private List<IovaRange> iovaList = List.of();
    private int vaddrInvalidCount;
    private HostMapping lastBacking;

    private static final class Mapping {
        final long iova;
        final long size;
        long vaddr;
        final boolean read;
        final boolean write;
        final MemorySegment pinned;
        final HostMapping backing;
        boolean vaddrInvalid;
        TreeMap<Long, Integer> externalPins;

        Mapping(long iova, long size, long vaddr, boolean read, boolean write, MemorySegment pinned, HostMapping backing) {
            this.backing = backing;
            this.iova = iova;
            this.size = size;
            this.vaddr = vaddr;
            this.read = read;
            this.write = write;
            this.pinned = pinned;
        }

        long end() {
            return iova + size;
        }

        boolean contains(long a) {
            return Long.compareUnsigned(a - iova, size) < 0;
        }

        boolean allows(boolean toMemory) {
            return toMemory ? write : read;
        }

        /** False once the process freed the memory behind the mapping (see transfer). */
        boolean live() {
            return !backing.isClosed();
        }

        boolean hasExternalPins() {
            return externalPins != null && !externalPins.isEmpty();
        }
    }

    Type1Iommu(boolean v2, int dmaEntryLimit, IommuHardware hardware, HostMemoryRegistry memory,
            LockedMemoryAccount memlock) {
        this.v2 = v2;
        this.dmaAvail = dmaEntryLimit;
        this.hardware = hardware;
        this.memory = memory;
        this.memlock = memlock;
    }

    /** True for TYPE1v2. */
    public boolean isV2() {
        return v2;
    }

    @Override
    public long type() {
        return v2 ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
    }

    /** vfio_iommu_type1_check_extension; {@code iommu} is null for a container without a backend. */
    static int checkExtension(Type1Iommu iommu, long extension) {
        if (extension == VFIO_TYPE1_IOMMU || extension == VFIO_TYPE1v2_IOMMU || extension == VFIO_UNMAP_ALL
                || extension == VFIO_UPDATE_VADDR) {
            return 1;
        }
        if (extension == VFIO_DMA_CC_IOMMU) {
            return iommu == null ? 0 : 1; // the modelled IOMMU enforces cache coherency
        }
        return 0;
    }

    @Override
    public int checkExtension(long extension) {
        return checkExtension(this, extension);
    }

    // ---- groups ----

    @Override
    public void attachGroup(IommuGroup group) {
        rw.writeLock().lock();
        try {
            if (groups.contains(group)) {
                throw new ErrnoException("VFIO_GROUP_SET_CONTAINER", Errno.EINVAL, "group " + group.id()
                        + " is already attached to this TYPE1 IOMMU");
            }
            groups.add(group);
            long bitmap = hardware.pgsizeBitmap();
            // vfio_update_pgsize_bitmap: hide sizes below the host page, pretend the host page works
            if ((bitmap & ~PAGE_MASK) != 0) {
                bitmap = (bitmap & PAGE_MASK) | PAGE_SIZE;
            }
            pgsizeBitmap = bitmap;
            iovaList = hardware.usableRanges();
            group.setDmaDomain(this);
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void detachGroup(IommuGroup group) {
        rw.writeLock().lock();
        try {
            if (!groups.remove(group)) {
                throw new IllegalStateException("group " + group.id() + " is not attached to this TYPE1 IOMMU");
            }
            group.setDmaDomain(null);
            if (groups.isEmpty()) {
                removeAll();
                pgsizeBitmap = PAGE_MASK;
                iovaList = List.of();
            }
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void release() {
        rw.writeLock().lock();
        try {
            for (IommuGroup g : groups) {
                g.setDmaDomain(null);
            }
            groups.clear();
            removeAll();
        } finally {
            rw.writeLock().unlock();
        }
    }

    private void removeAll() {
        for (Mapping m : dmas.values()) {
            memlock.uncharge(m.size);
            dmaAvail++;
        }
        dmas.clear();
        vaddrInvalidCount = 0;
    }

    // ---- MAP / UNMAP ----

    @Override
    public void mapDma(DmaMap map) {
        String op = "VFIO_IOMMU_MAP_DMA";
        int flags = map.flags();
        if ((flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, map + ": unknown flags");
        }
        boolean read = (flags & VFIO_DMA_MAP_FLAG_READ) != 0;
        boolean write = (flags & VFIO_DMA_MAP_FLAG_WRITE) != 0;
        boolean setVaddr = (flags & VFIO_DMA_MAP_FLAG_VADDR) != 0;
        boolean prot = read || write;
        if (prot == setVaddr) {
            throw new ErrnoException(op, Errno.EINVAL, map + (prot ? ": VADDR cannot be combined with READ/WRITE"
                    : ": neither READ nor WRITE permission"));
        }
        long iova = map.iova().value();
        long vaddr = map.vaddr().value();
        long size = map.size();
        rw.writeLock().lock();
        try {
            long pgsize = Long.lowestOneBit(pgsizeBitmap);
            if (size == 0 || ((size | iova | vaddr) & (pgsize - 1)) != 0) {
                throw new ErrnoException(op, Errno.EINVAL, map + ": size 0 or not aligned to the IOMMU page " + hex(pgsize));
            }
            if (Long.compareUnsigned(iova + size - 1, iova) < 0 || Long.compareUnsigned(vaddr + size - 1, vaddr) < 0) {
                throw new ErrnoException(op, Errno.EINVAL, map + ": iova or vaddr range wraps around");
            }
            Mapping dma = findOverlap(iova, size);
            if (setVaddr) {
                if (dma == null) {
                    throw new ErrnoException(op, Errno.ENOENT, map + ": no mapping to update");
                }
                if (!dma.vaddrInvalid || dma.iova != iova || dma.size != size) {
                    throw new ErrnoException(op, Errno.EINVAL, map + ": VADDR needs exactly one mapping whose vaddr was invalidated");
                }
                dma.vaddr = vaddr;
                dma.vaddrInvalid = false;
                vaddrInvalidCount--;
                return;
            }
            if (dma != null) {
                throw new ErrnoException(op, Errno.EEXIST, map + ": overlaps mapping [" + hex(dma.iova) + ", "
                        + hex(dma.end()) + ")");
            }
            if (dmaAvail == 0) {
                throw new ErrnoException(op, Errno.ENOSPC, map + ": dma_entry_limit reached");
            }
            if (!iovaValid(iova, iova + size - 1)) {
                throw new ErrnoException(op, Errno.EINVAL, map + ": iova range outside the usable IOVA ranges " + iovaList);
            }
            // get_user_pages: the process mapping holding the range (the last one found is kept; it
            // stays valid while open, since no other mapping can take its addresses meanwhile)
            HostMapping backing = lastBacking;
            if (backing == null || backing.isClosed() || !backing.contains(map.vaddr(), size)) {
                backing = memory.find(map.vaddr(), size);
                lastBacking = backing;
            }
            if (backing == null) {
                memory.resolve(op, map.vaddr(), size); // throws EFAULT naming the range
            }
            MemorySegment pinned = backing.segment().asSlice(vaddr - backing.address().value(), size);
            memlock.charge(op, size);
            dmas.put(iova, new Mapping(iova, size, vaddr, read, write, pinned, backing));
            dmaAvail--;
        } finally {
            rw.writeLock().unlock();
        }
    }

    private boolean iovaValid(long first, long last) {
        if (iovaList.isEmpty()) {
            return true;
        }
        for (IovaRange r : iovaList) {
            if (r.contains(first, last)) {
                return true;
            }
        }
        return false;
    }

    /** vfio_find_dma: any mapping overlapping [start, start + size); size 0 matches no mapping starting at start. */
    private Mapping findOverlap(long start, long size) {
        long last = start + size - 1;
        Mapping m = dmas.floor(size == 0 ? start - 1 : last);
        if (m == null) {
            return null;
        }
        if (size == 0) {
            return Long.compareUnsigned(start, m.iova) > 0 && m.contains(start) ? m : null;
        }
        return Long.compareUnsigned(m.end() - 1, start) >= 0 ? m : null;
    }

    private Mapping containing(long a) {
        Mapping m = dmas.floor(a);
        return m != null && m.contains(a) ? m : null;
    }

    @Override
    public DmaUnmap unmapDma(DmaUnmap unmap) {
        String op = "VFIO_IOMMU_UNMAP_DMA";
        int flags = unmap.flags();
        int mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR;
        if ((flags & ~mask) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, unmap + ": unknown flags");
        }
        boolean dirty = (flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) != 0;
        boolean all = (flags & VFIO_DMA_UNMAP_FLAG_ALL) != 0;
        boolean invalidateVaddr = (flags & VFIO_DMA_UNMAP_FLAG_VADDR) != 0;
        if (dirty && (all || invalidateVaddr)) {
            throw new ErrnoException(op, Errno.EINVAL, unmap + ": GET_DIRTY_BITMAP cannot be combined with ALL or VADDR");
        }
        long iova = unmap.iova().value();
        long size = unmap.size();
        Mapping notified = null;
        while (true) {
            List<Mapping> toNotify = null;
            rw.writeLock().lock();
            try {
                long pgsize = Long.lowestOneBit(pgsizeBitmap);
                if ((iova & (pgsize - 1)) != 0) {
                    throw new ErrnoException(op, Errno.EINVAL, unmap + ": iova not aligned to " + hex(pgsize));
                }
                if (all) {
                    if (iova != 0 || size != 0) {
                        throw new ErrnoException(op, Errno.EINVAL, unmap + ": UNMAP_ALL needs iova 0 and size 0");
                    }
                    size = -1L; // U64_MAX
                } else if (size == 0 || (size & (pgsize - 1)) != 0 || Long.compareUnsigned(iova + size - 1, iova) < 0) {
                    throw new ErrnoException(op, Errno.EINVAL, unmap + ": size 0, not aligned to " + hex(pgsize)
                            + " or wrapping");
                }
                if (dirty) {
                    throw new ErrnoException(op, Errno.EINVAL, unmap + ": dirty page tracking is not enabled");
                }
                long end = iova + size; // exclusive; 0 means "to the top" for UNMAP_ALL
                Mapping first = all ? null : containing(iova);
                if (v2 && !all) {
                    if (first != null && first.iova != iova) {
                        throw new ErrnoException(op, Errno.EINVAL, unmap + ": would split mapping [" + hex(first.iova)
                                + ", " + hex(first.end()) + ") at its start (TYPE1v2)");
                    }
                    // the mapping holding the last byte (vfio_find_dma(iova + size - 1, 0)); when the first
                    // mapping ends exactly at the end of the request, no other one can
                    if (first == null || first.end() != end) {
                        Mapping last = findOverlap(iova + size - 1, 0);
                        if (last != null && last.end() != end) {
                            throw new ErrnoException(op, Errno.EINVAL, unmap + ": would split mapping [" + hex(last.iova)
                                    + ", " + hex(last.end()) + ") at its end (TYPE1v2)");
                        }
                    }
                }
                Mapping dma = first != null ? first : dmas.ceiling(iova);
                victims.clear();
                while (dma != null) {
                    if (!all && Long.compareUnsigned(dma.iova, end) >= 0 && end != 0) {
                        break;
                    }
                    if (!v2 && Long.compareUnsigned(iova, dma.iova) > 0) {
                        break; // v1: a request starting inside a mapping unmaps nothing
                    }
                    victims.add(dma);
                    long next = dma.end();
                    if (!all && next != 0 && Long.compareUnsigned(next, end) >= 0 && end != 0) {
                        break; // covers the rest of the range: no need to look further
                    }
                    dma = next == 0 ? null : dmas.ceiling(next);
                }
                if (invalidateVaddr) {
                    for (Mapping v : victims) {
                        if (v.vaddrInvalid) {
                            throw new ErrnoException(op, Errno.EINVAL, unmap + ": vaddr of [" + hex(v.iova) + ", "
                                    + hex(v.end()) + ") is already invalid");
                        }
                    }
                    long unmapped = 0;
                    for (Mapping v : victims) {
                        v.vaddrInvalid = true;
                        vaddrInvalidCount++;
                        unmapped += v.size;
                    }
                    return unmap.withSize(unmapped);
                }
                for (Mapping v : victims) {
                    if (v.hasExternalPins()) {
                        if (v == notified) {
                            throw new IllegalStateException(op + ": a vendor driver kept pages pinned in [" + hex(v.iova)
                                    + ", " + hex(v.end()) + ") after its dma_unmap notification");
                        }
                        toNotify = List.of(v);
                        break;
                    }
                }
                if (toNotify == null) {
                    long unmapped = 0;
                    for (Mapping v : victims) {
                        dmas.remove(v.iova);
                        memlock.uncharge(v.size);
                        dmaAvail++;
                        unmapped += v.size;
                    }
                    victims.clear();
                    return unmap.withSize(unmapped);
                }
            } finally {
                rw.writeLock().unlock();
            }
            // Rule 8: tell every mdev vendor driver first (it must unpin), then start again.
            Mapping dma = toNotify.get(0);
            for (DmaUnmapListener l : devices) {
                l.dmaUnmap(new Iova(dma.iova), dma.size);
            }
            notified = dma;
        }
    }

    // ---- GET_INFO ----

    @Override
    public Type1Info getInfo(int argsz) {
        String op = "VFIO_IOMMU_GET_INFO";
        if (argsz < 16) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz=" + argsz + " < 16 (offsetofend iova_pgsizes)");
        }
        rw.readLock().lock();
        try {
            List<Type1InfoCapability> chain = new ArrayList<>();
            chain.add(new Type1InfoCapability.Migration(0, Long.lowestOneBit(pgsizeBitmap), DIRTY_BITMAP_SIZE_MAX));
            chain.add(new Type1InfoCapability.DmaAvail(dmaAvail));
            if (!iovaList.isEmpty()) {
                chain.add(new Type1InfoCapability.IovaRanges(iovaList));
            }
            int flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
            int needed = Type1Info.SIZE + Type1Info.chainBytes(chain);
            if (argsz < needed) {
                return new Type1Info(needed, argsz, flags, pgsizeBitmap, 0, chain, List.of());
            }
            return new Type1Info(argsz, argsz, flags, pgsizeBitmap, Type1Info.SIZE, chain, chain);
        } finally {
            rw.readLock().unlock();
        }
    }

    // ---- device DMA ----

    @Override
    public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        long start = iova.value();
        long len = buffer.byteSize();
        rw.readLock().lock();
        try {
            Mapping m = dmas.floor(start);
            if (m == null) {
                return FaultReason.UNMAPPED;
            }
            long off = start - m.iova;
            if (Long.compareUnsigned(off, m.size) >= 0) {
                return FaultReason.UNMAPPED;
            }
            if (len <= m.size - off) {
                if (!m.allows(toMemory)) {
                    return FaultReason.PERMISSION;
                }
                if (!m.live()) {
                    return FaultReason.UNMAPPED;
                }
                copy(m, off, buffer, 0, len, toMemory);
                return null;
            }
            return transferAcross(start, buffer, toMemory);
        } finally {
            rw.readLock().unlock();
        }
    }

    /** A transfer spanning adjacent mappings: check every piece first, then copy (all or nothing). */
    private FaultReason transferAcross(long start, MemorySegment buffer, boolean toMemory) {
        long len = buffer.byteSize();
        if (Long.compareUnsigned(start + len - 1, start) < 0) {
            return FaultReason.UNMAPPED;
        }
        long done = 0;
        while (done < len) {
            Mapping m = containing(start + done);
            if (m == null) {
                return FaultReason.UNMAPPED;
            }
            if (!m.allows(toMemory)) {
                return FaultReason.PERMISSION;
            }
            if (!m.live()) {
                return FaultReason.UNMAPPED;
            }
            // bytes left in the mapping, from its size: end() is 0 for a mapping that reaches 2^64
            done += Math.min(len - done, m.size - (start + done - m.iova));
        }
        done = 0;
        while (done < len) {
            Mapping m = containing(start + done);
            long off = start + done - m.iova;
            long n = Math.min(len - done, m.size - off);
            copy(m, off, buffer, done, n, toMemory);
            done += n;
        }
        return null;
    }

    private static void copy(Mapping m, long off, MemorySegment buffer, long bufOff, long n, boolean toMemory) {
        if (toMemory) {
            MemorySegment.copy(buffer, bufOff, m.pinned, off, n);
        } else {
            MemorySegment.copy(m.pinned, off, buffer, bufOff, n);
        }
    }

    @Override
    public HostIommuTlbEntry translate(Iova iova, AccessKind access) {
        rw.readLock().lock();
        try {
            long pgmask = Long.lowestOneBit(pgsizeBitmap) - 1;
            Mapping m = containing(iova.value());
            IommuPermission perm = m == null ? IommuPermission.NONE : IommuPermission.of(m.read, m.write);
            if (!perm.allows(access)) {
                return HostIommuTlbEntry.miss(iova, pgmask);
            }
            long page = iova.value() & ~pgmask;
            return new HostIommuTlbEntry(new Iova(page), new HostAddress(m.vaddr + (page - m.iova)), pgmask, perm);
        } finally {
            rw.readLock().unlock();
        }
    }

    // ---- mdev hooks (rules 8 and 11) ----

    /**
     * Registers a mediated device's dma_unmap callback (the container's device_list); close the
     * returned handle when the device goes away.
     */
    public AutoCloseable registerDevice(DmaUnmapListener listener) {
        devices.add(listener);
        boolean[] closed = {false};
        return () -> {
            synchronized (closed) {
                if (closed[0]) {
                    throw new IllegalStateException("mdev dma_unmap registration closed twice");
                }
                closed[0] = true;
            }
            devices.remove(listener);
        };
    }

    /**
     * vfio_pin_pages for a vendor driver: pins {@code npage} pages from {@code iova} with
     * {@code prot} and returns their host addresses. EACCES on TYPE1 v1; EINVAL for no page, no
     * registered device or an unmapped page; E2BIG past 512 pages; EPERM when a mapping lacks
     * {@code prot}. On failure nothing stays pinned.
     */
    public List<HostAddress> pinPages(Iova iova, int npage, IommuPermission prot) {
        String op = "vfio_pin_pages";
        if (npage <= 0 || prot == IommuPermission.NONE || (iova.value() & (PAGE_SIZE - 1)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, "iova=" + iova + ", npage=" + npage + ", prot=" + prot);
        }
        if (npage > PIN_PAGES_MAX) {
            throw new ErrnoException(op, Errno.E2BIG, "npage=" + npage + " > " + PIN_PAGES_MAX);
        }
        if (!v2) {
            throw new ErrnoException(op, Errno.EACCES, "pin_pages is supported on TYPE1v2 only");
        }
        rw.writeLock().lock();
        try {
            if (devices.isEmpty()) {
                throw new ErrnoException(op, Errno.EINVAL, "no device with a dma_unmap callback is registered");
            }
            List<HostAddress> out = new ArrayList<>(npage);
            for (int i = 0; i < npage; i++) {
                long a = iova.value() + PAGE_SIZE * i;
                Mapping m = findOverlap(a, PAGE_SIZE);
                ErrnoException err = null;
                if (m == null) {
                    err = new ErrnoException(op, Errno.EINVAL, "iova " + hex(a) + " is not mapped");
                } else if ((prot.allows(AccessKind.READ) && !m.read) || (prot.allows(AccessKind.WRITE) && !m.write)) {
                    err = new ErrnoException(op, Errno.EPERM, "iova " + hex(a) + ": mapping lacks " + prot);
                }
                if (err != null) {
                    unpinLocked(iova.value(), i);
                    throw err;
                }
                if (m.externalPins == null) {
                    m.externalPins = new TreeMap<>(Long::compareUnsigned);
                }
                m.externalPins.merge(a, 1, Integer::sum);
                out.add(new HostAddress(m.vaddr + (a - m.iova)));
            }
            return out;
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** vfio_unpin_pages: drops one pin of each of {@code npage} pages from {@code iova}. */
    public void unpinPages(Iova iova, int npage) {
        if (!v2) {
            throw new ErrnoException("vfio_unpin_pages", Errno.EACCES, "pin_pages is supported on TYPE1v2 only");
        }
        rw.writeLock().lock();
        try {
            unpinLocked(iova.value(), npage);
        } finally {
            rw.writeLock().unlock();
        }
    }

    private void unpinLocked(long iova, int npage) {
        for (int i = 0; i < npage; i++) {
            long a = iova + PAGE_SIZE * i;
            Mapping m = findOverlap(a, PAGE_SIZE);
            if (m == null) {
                break;
            }
            if (m.externalPins != null) {
                m.externalPins.computeIfPresent(a, (k, v) -> v == 1 ? null : v - 1);
            }
        }
    }

    /** Pages a vendor driver holds pinned now (each pin counted). */
    public long externallyPinnedPages() {
        rw.readLock().lock();
        try {
            long n = 0;
            for (Mapping m : dmas.values()) {
                if (m.externalPins != null) {
                    for (int c : m.externalPins.values()) {
                        n += c;
                    }
                }
            }
            return n;
        } finally {
            rw.readLock().unlock();
        }
    }

    // ---- views ----

    /** A snapshot of the live mappings in IOVA order. */
    public List<DmaMapping> mappings() {
        rw.readLock().lock();
        try {
            List<DmaMapping> out = new ArrayList<>(dmas.size());
            for (Mapping m : dmas.values()) {
                out.add(new DmaMapping(new Iova(m.iova), m.size, new HostAddress(m.vaddr), IommuPermission.of(m.read, m.write)));
            }
            return out;
        } finally {
            rw.readLock().unlock();
        }
    }

    public int mappingCount() {
        rw.readLock().lock();
        try {
            return dmas.size();
        } finally {
            rw.readLock().unlock();
        }
    }

    /** The IOMMU page-size bitmap now (PAGE_MASK before any group is attached). */
    public long pgsizeBitmap() {
        rw.readLock().lock();
        try {
            return pgsizeBitmap;
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "Type1Iommu[" + (v2 ? "v2" : "v1") + ", " + mappingCount() + " mappings]";
    }
}
