package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.IovaSpans;
import org.jvmm.iommufd.IommufdStructs.IovaRange;

/**
 * An I/O address space (Linux drivers/iommu/iommufd/io_pagetable.c, ioas.c): areas of IOVA
 * mapped to process memory, the reserved IOVA its domains and attached devices impose, the
 * allowed IOVA ranges user space asked for, and the alignment MAP needs. Every paging HWPT
 * allocated from it translates through it (iommufd keeps all of an IOAS's domains in sync).
 *
 * <p>Rules (io_pagetable.c): MAP needs a non-zero length; an IOVA or length of ULONG_MAX or more,
 * or an end past 2^64, is EOVERFLOW; an IOVA or user-address page offset off the alignment (1
 * until a domain exists, then 4 KiB) is EINVAL; an IOVA range touching reserved IOVA is EINVAL;
 * touching an existing area EEXIST. Without FIXED_IOVA the kernel picks the lowest free IOVA
 * aligned to min(roundup_pow_of_two(length), lowest set bit of user_va), inside the allowed
 * ranges if any (ENOSPC when none fits). UNMAP must cover whole areas: an area that straddles the
 * start or the end is ENOENT, nothing mapped in the range ENOENT; iova 0 with length U64_MAX
 * unmaps everything. Areas are unmapped in IOVA order and an error on the last area leaves the
 * earlier ones unmapped (iopt_unmap_iova_range does the same). COPY maps a sub-range of existing
 * areas (contiguous, ENOENT for a hole) in another IOAS, sharing their pinned pages; WRITEABLE is
 * EPERM when the source pages were mapped without it.
 *
 * <p>Pinning: process memory is pinned and charged to the locked-memory account only while the
 * IOAS has a domain (a paging HWPT), as iommufd fills domains from the pages; pages shared by
 * COPY are charged once. Model choice: a {@link Pages} object is charged whole (iommufd charges
 * page by page as it pins); the two agree for the whole-area use of MAP and COPY.
 *
 * <p>Areas live in an {@link IovaSpans}, the structure TYPE1 keeps its mappings in; the MAP
 * (EEXIST on any touch), UNMAP (whole areas only, ENOENT) and COPY rules above are iommufd's own
 * and stay here.
 *
 * <p>Locking: a read-write lock; map/unmap/copy and domain changes write, DMA reads.
 */
public final class Ioas extends IommufdObject {
    static final long PAGE_SIZE = 4096;
    /** ULONG_MAX on a 64-bit host. */
    static final long ULONG_MAX = -1L;

    private final HostMemoryRegistry memory;
    private final LockedMemoryAccount memlock;
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final IovaSpans<Area> areas = new IovaSpans<>();
    private final List<IovaRange> allowed = new ArrayList<>();
    /** Reserved IOVA by owner (a domain's aperture, a device's reserved regions). */
    private final Map<Object, List<IovaRange>> reserved = new IdentityHashMap<>();
    /** {@link #reserved} flattened (start, last pairs) for the MAP path; rebuilt on every change. */
    private IovaRange[] reservedFlat = new IovaRange[0];
    private final List<PagingHwpt> domains = new ArrayList<>();
    private long iovaAlignment = 1;

    /** Process memory behind one MAP: pinned (while a domain exists) and charged once, however many areas share it. */
    static final class Pages {
        final long vaddr;
        final long length;
        final boolean writable;
        HostMapping backing;
        MemorySegment pinned;
        int pinUsers;
        int areaUsers;

        Pages(long vaddr, long length, boolean writable) {
            this.vaddr = vaddr;
            this.length = length;
            this.writable = writable;
        }
    }

    /** One mapped range: [iova, iova + length) -> pages at pagesOffset. */
    static final class Area extends IovaSpans.Span {
        final Pages pages;
        final long pagesOffset;
        final boolean read;
        final boolean write;
        boolean pinned;

        Area(long iova, long length, Pages pages, long pagesOffset, boolean read, boolean write) {
            super(iova, length);
            this.pages = pages;
            this.pagesOffset = pagesOffset;
            this.read = read;
            this.write = write;
        }
    }

    /** A live mapping as a snapshot. */
    public record Mapping(long iova, long length, long userVa, boolean read, boolean write) {
    }

    Ioas(int id, HostMemoryRegistry memory, LockedMemoryAccount memlock) {
        super(id);
        this.memory = memory;
        this.memlock = memlock;
    }

    @Override
    String kind() {
        return "ioas";
    }

    @Override
    String busyReason() {
        return domains.isEmpty() ? null : domains.size() + " HWPT(s) are allocated from it";
    }

    @Override
    void destroyed() {
        rw.writeLock().lock();
        try {
            for (Area a : areas.values()) {
                dropArea(a);
            }
            areas.clear();
        } finally {
            rw.writeLock().unlock();
        }
    }

    // ---- MAP / COPY / UNMAP ----

    long map(String op, int flags, long userVa, long length, long iova) {
        boolean fixed = (flags & IOMMU_IOAS_MAP_FIXED_IOVA) != 0;
        boolean write = (flags & IOMMU_IOAS_MAP_WRITEABLE) != 0;
        boolean read = (flags & IOMMU_IOAS_MAP_READABLE) != 0;
        if (length == 0 || Long.compareUnsigned(length, ULONG_MAX - PAGE_SIZE) > 0) {
            throw new ErrnoException(op, Errno.EINVAL, "length " + hex(length) + " is 0 or too large");
        }
        if (Long.compareUnsigned(userVa + length - 1, userVa) < 0) {
            throw new ErrnoException(op, Errno.EOVERFLOW, "user_va " + hex(userVa) + " + length " + hex(length) + " wraps");
        }
        rw.writeLock().lock();
        try {
            long at = fixed ? iova : allocIova(op, userVa, length);
            checkIova(op, at, length, userVa);
            Pages pages = new Pages(userVa, length, write);
            Area area = new Area(at, length, pages, 0, read, write);
            insert(op, area);
            return at;
        } finally {
            rw.writeLock().unlock();
        }
    }

    long copyFrom(String op, Ioas src, int flags, long length, long dstIova, long srcIova) {
        boolean fixed = (flags & IOMMU_IOAS_MAP_FIXED_IOVA) != 0;
        boolean write = (flags & IOMMU_IOAS_MAP_WRITEABLE) != 0;
        boolean read = (flags & IOMMU_IOAS_MAP_READABLE) != 0;
        if (length == 0) {
            throw new ErrnoException(op, Errno.EINVAL, "length is 0");
        }
        if (Long.compareUnsigned(srcIova + length - 1, srcIova) < 0) {
            throw new ErrnoException(op, Errno.EOVERFLOW, "src_iova " + hex(srcIova) + " + length " + hex(length) + " wraps");
        }
        // the pieces of the source, contiguous
        List<Area> pieces = new ArrayList<>();
        src.rw.readLock().lock();
        try {
            long done = 0;
            while (done != length) {
                long a = srcIova + done;
                Area s = src.areas.containing(a);
                if (s == null) {
                    throw new ErrnoException(op, Errno.ENOENT, "src_iova range has no mapping at " + hex(a));
                }
                if (write && !s.pages.writable) {
                    throw new ErrnoException(op, Errno.EPERM, "WRITEABLE asked but the source at " + hex(a)
                            + " was mapped read-only");
                }
                long off = a - s.iova;
                long n = Long.compareUnsigned(length - done, s.length - off) < 0 ? length - done : s.length - off;
                pieces.add(new Area(0, n, s.pages, s.pagesOffset + off, read, write));
                done += n;
            }
        } finally {
            src.rw.readLock().unlock();
        }
        rw.writeLock().lock();
        try {
            long at = fixed ? dstIova : allocIova(op, pieces.get(0).pages.vaddr + pieces.get(0).pagesOffset, length);
            checkIova(op, at, length, pieces.get(0).pages.vaddr + pieces.get(0).pagesOffset);
            List<Area> done = new ArrayList<>();
            try {
                long cur = at;
                for (Area p : pieces) {
                    Area area = new Area(cur, p.length, p.pages, p.pagesOffset, read, write);
                    insert(op, area);
                    done.add(area);
                    cur += p.length;
                }
            } catch (ErrnoException e) {
                for (Area d : done) {
                    areas.remove(d.iova);
                    dropArea(d);
                }
                throw e;
            }
            return at;
        } finally {
            rw.writeLock().unlock();
        }
    }

    private void insert(String op, Area area) {
        area.pages.areaUsers++;
        if (!domains.isEmpty()) {
            try {
                pin(op, area);
            } catch (ErrnoException e) {
                area.pages.areaUsers--;
                throw e;
            }
        }
        areas.add(area);
    }

    /** iopt_check_iova plus the area/alignment checks of iopt_alloc_area. */
    private void checkIova(String op, long iova, long length, long userVa) {
        if ((iova & (iovaAlignment - 1)) != 0 || (length & (iovaAlignment - 1)) != 0
                || ((userVa % PAGE_SIZE) & (iovaAlignment - 1)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, "iova " + hex(iova) + ", length " + hex(length) + " or user_va "
                    + hex(userVa) + " is not aligned to " + hex(iovaAlignment));
        }
        long last = iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            throw new ErrnoException(op, Errno.EOVERFLOW, "iova " + hex(iova) + " + length " + hex(length) + " wraps");
        }
        IovaRange r = reservedOverlap(iova, last);
        if (r != null) {
            throw new ErrnoException(op, Errno.EINVAL, "[" + hex(iova) + ", " + hex(last) + "] touches reserved IOVA " + r);
        }
        Area a = areas.anyOverlap(iova, last);
        if (a != null) {
            throw new ErrnoException(op, Errno.EEXIST, "[" + hex(iova) + ", " + hex(last) + "] overlaps the area ["
                    + hex(a.iova) + ", " + hex(a.last()) + "]");
        }
    }

    /** iopt_alloc_iova: the lowest free IOVA of the right alignment (inside the allowed ranges when there are any). */
    private long allocIova(String op, long userVa, long length) {
        long align = Long.compareUnsigned(length, 1L << 62) > 0 ? 1L << 63 : Long.highestOneBit(length - 1) << 1;
        if (length == 1) {
            align = 1;
        }
        if (userVa != 0) {
            align = Math.min(align, Long.lowestOneBit(userVa)) ;
        }
        if (Long.compareUnsigned(align, iovaAlignment) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "user_va " + hex(userVa) + " gives an IOVA alignment below " + hex(iovaAlignment));
        }
        if (Long.compareUnsigned(align, Long.MAX_VALUE) >= 0) {
            throw new ErrnoException(op, Errno.EOVERFLOW, "length " + hex(length) + " needs an alignment past 2^63");
        }
        List<IovaRange> spans = allowed.isEmpty() ? List.of(new IovaRange(0, ULONG_MAX)) : allowed;
        for (IovaRange span : spans) {
            long cand = alignUp(span.start(), align);
            while (cand != 0 || span.start() == 0) {
                if (Long.compareUnsigned(cand, span.start()) < 0) {
                    break; // wrapped
                }
                long last = cand + length - 1;
                if (Long.compareUnsigned(last, cand) < 0 || Long.compareUnsigned(last, span.last()) > 0) {
                    break;
                }
                IovaRange r = reservedOverlap(cand, last);
                Area a = areas.firstOverlap(cand, last);
                if (r == null && a == null) {
                    return cand;
                }
                long after = r != null ? r.last() : a.last();
                if (a != null && r != null && Long.compareUnsigned(a.last(), r.last()) > 0) {
                    after = a.last();
                }
                if (after == ULONG_MAX) {
                    break;
                }
                long next = alignUp(after + 1, align);
                if (Long.compareUnsigned(next, cand) <= 0) {
                    break;
                }
                cand = next;
            }
        }
        throw new ErrnoException(op, Errno.ENOSPC, "no free IOVA range of " + hex(length) + " bytes");
    }

    private static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }

    /**
     * Unmaps the areas inside [iova, iova + length), or everything for iova 0 / length U64_MAX:
     * the bytes unmapped.
     */
    long unmap(String op, long iova, long length) {
        rw.writeLock().lock();
        try {
            if (iova == 0 && length == -1L) {
                long n = 0;
                for (Area a : areas.values()) {
                    n += a.length;
                    dropArea(a);
                }
                areas.clear();
                return n;
            }
            if (length == 0) {
                throw new ErrnoException(op, Errno.EINVAL, "length is 0");
            }
            long last = iova + length - 1;
            if (Long.compareUnsigned(last, iova) < 0) {
                throw new ErrnoException(op, Errno.EOVERFLOW, "iova " + hex(iova) + " + length " + hex(length) + " wraps");
            }
            long unmapped = 0;
            long start = iova;
            while (true) {
                Area a = areas.firstOverlap(start, last);
                if (a == null) {
                    break;
                }
                if (Long.compareUnsigned(a.iova, start) < 0 || Long.compareUnsigned(a.last(), last) > 0) {
                    throw new ErrnoException(op, Errno.ENOENT, "[" + hex(iova) + ", " + hex(last) + "] would split the area ["
                            + hex(a.iova) + ", " + hex(a.last()) + "]" + (unmapped == 0 ? "" : " (" + hex(unmapped)
                            + " bytes before it were unmapped)"));
                }
                areas.remove(a.iova);
                dropArea(a);
                unmapped += a.length;
                if (a.last() == last) {
                    break;
                }
                start = a.last() + 1;
            }
            if (unmapped == 0) {
                throw new ErrnoException(op, Errno.ENOENT, "nothing is mapped in [" + hex(iova) + ", " + hex(last) + "]");
            }
            return unmapped;
        } finally {
            rw.writeLock().unlock();
        }
    }

    private void dropArea(Area a) {
        if (a.pinned) {
            unpin(a);
        }
        a.pages.areaUsers--;
    }

    private void pin(String op, Area a) {
        Pages p = a.pages;
        if (p.pinUsers == 0) {
            HostMapping m = memory.find(new HostAddress(p.vaddr), p.length);
            if (m == null) {
                memory.resolve(op, new HostAddress(p.vaddr), p.length); // EFAULT naming the range
            }
            memlock.charge(op, p.length);
            p.backing = m;
            p.pinned = m.segment().asSlice(p.vaddr - m.address().value(), p.length);
        }
        p.pinUsers++;
        a.pinned = true;
    }

    private void unpin(Area a) {
        Pages p = a.pages;
        a.pinned = false;
        if (--p.pinUsers == 0) {
            memlock.uncharge(p.length);
            p.pinned = null;
            p.backing = null;
        }
    }

    // ---- lookups ----

    private IovaRange reservedOverlap(long first, long last) {
        for (IovaRange r : reservedFlat) {
            if (Long.compareUnsigned(r.start(), last) <= 0 && Long.compareUnsigned(first, r.last()) <= 0) {
                return r;
            }
        }
        return null;
    }

    /** Rebuilds {@link #reservedFlat} after {@link #reserved} changed. Caller holds the write lock. */
    private void reservedChanged() {
        List<IovaRange> all = new ArrayList<>();
        for (List<IovaRange> rs : reserved.values()) {
            all.addAll(rs);
        }
        reservedFlat = all.toArray(IovaRange[]::new);
    }

    // ---- reserved, allowed, alignment ----

    /**
     * Adds the reserved IOVA of {@code owner} (a domain's outside-aperture span, a device's reserved
     * regions): EADDRINUSE when a mapped area or an allowed range touches it. Caller holds no lock.
     */
    void addReserved(String op, Object owner, List<IovaRange> ranges) {
        rw.writeLock().lock();
        try {
            for (IovaRange r : ranges) {
                Area a = areas.firstOverlap(r.start(), r.last());
                if (a != null) {
                    throw new ErrnoException(op, Errno.EADDRINUSE, "reserved IOVA " + r + " overlaps the mapped area ["
                            + hex(a.iova) + ", " + hex(a.last()) + "]");
                }
                for (IovaRange al : allowed) {
                    if (Long.compareUnsigned(al.start(), r.last()) <= 0 && Long.compareUnsigned(r.start(), al.last()) <= 0) {
                        throw new ErrnoException(op, Errno.EADDRINUSE, "reserved IOVA " + r + " overlaps the allowed range " + al);
                    }
                }
            }
            reserved.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(ranges);
            reservedChanged();
        } finally {
            rw.writeLock().unlock();
        }
    }

    void removeReserved(Object owner) {
        rw.writeLock().lock();
        try {
            reserved.remove(owner);
            reservedChanged();
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** IOMMU_IOAS_ALLOW_IOVAS: replaces the allowed list; EINVAL for a bad or overlapping range, EADDRINUSE when reserved IOVA touches one. */
    void allowIovas(String op, List<IovaRange> ranges) {
        List<IovaRange> sorted = new ArrayList<>(ranges);
        for (IovaRange r : sorted) {
            if (Long.compareUnsigned(r.start(), r.last()) > 0) {
                throw new ErrnoException(op, Errno.EINVAL, "range " + r + " ends before it starts");
            }
        }
        sorted.sort((x, y) -> Long.compareUnsigned(x.start(), y.start()));
        for (int i = 1; i < sorted.size(); i++) {
            if (Long.compareUnsigned(sorted.get(i).start(), sorted.get(i - 1).last()) <= 0) {
                throw new ErrnoException(op, Errno.EINVAL, "ranges " + sorted.get(i - 1) + " and " + sorted.get(i) + " overlap");
            }
        }
        rw.writeLock().lock();
        try {
            for (IovaRange r : sorted) {
                IovaRange res = reservedOverlap(r.start(), r.last());
                if (res != null) {
                    throw new ErrnoException(op, Errno.EADDRINUSE, "allowed range " + r + " touches reserved IOVA " + res);
                }
            }
            allowed.clear();
            allowed.addAll(sorted);
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** IOMMU_IOAS_IOVA_RANGES: [0, ULONG_MAX] minus the reserved IOVA, ascending. */
    public List<IovaRange> iovaRanges() {
        rw.readLock().lock();
        try {
            List<IovaRange> all = new ArrayList<>();
            for (List<IovaRange> rs : reserved.values()) {
                all.addAll(rs);
            }
            all.sort((x, y) -> Long.compareUnsigned(x.start(), y.start()));
            List<IovaRange> out = new ArrayList<>();
            long next = 0;
            boolean done = false;
            for (IovaRange r : all) {
                if (Long.compareUnsigned(r.start(), next) > 0) {
                    out.add(new IovaRange(next, r.start() - 1));
                }
                if (Long.compareUnsigned(r.last(), next) >= 0) {
                    if (r.last() == ULONG_MAX) {
                        done = true;
                        break;
                    }
                    next = r.last() + 1;
                }
            }
            if (!done) {
                out.add(new IovaRange(next, ULONG_MAX));
            }
            return out;
        } finally {
            rw.readLock().unlock();
        }
    }

    /** out_iova_alignment: 1 without a domain, the smallest IOMMU page with one. */
    public long iovaAlignment() {
        rw.readLock().lock();
        try {
            return iovaAlignment;
        } finally {
            rw.readLock().unlock();
        }
    }

    /**
     * iopt_table_add_domain: a paging HWPT joins; the first pins and charges every area (all or
     * nothing); an area off the domain's alignment is EADDRINUSE, IOVA outside its aperture EADDRINUSE.
     */
    void addDomain(String op, PagingHwpt d, long pageSize, List<IovaRange> outsideAperture) {
        rw.writeLock().lock();
        try {
            for (Area a : areas.values()) {
                if (((a.iova | a.length | (a.pages.vaddr + a.pagesOffset) % PAGE_SIZE) & (pageSize - 1)) != 0) {
                    throw new ErrnoException(op, Errno.EADDRINUSE, "the area [" + hex(a.iova) + ", " + hex(a.last())
                            + "] is not aligned to the domain's page " + hex(pageSize));
                }
            }
            addReservedLocked(op, d, outsideAperture);
            if (domains.isEmpty()) {
                List<Area> done = new ArrayList<>();
                try {
                    for (Area a : areas.values()) {
                        pin(op, a);
                        done.add(a);
                    }
                } catch (ErrnoException e) {
                    for (Area a : done) {
                        unpin(a);
                    }
                    reserved.remove(d);
                    reservedChanged();
                    throw e;
                }
            }
            domains.add(d);
            iovaAlignment = Math.max(iovaAlignment, pageSize);
        } finally {
            rw.writeLock().unlock();
        }
    }

    private void addReservedLocked(String op, Object owner, List<IovaRange> ranges) {
        for (IovaRange r : ranges) {
            Area a = areas.firstOverlap(r.start(), r.last());
            if (a != null) {
                throw new ErrnoException(op, Errno.EADDRINUSE, "the area [" + hex(a.iova) + ", " + hex(a.last())
                        + "] lies outside the domain's aperture");
            }
        }
        reserved.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(ranges);
        reservedChanged();
    }

    /** iopt_table_remove_domain: the last domain to go unpins and uncharges everything. */
    void removeDomain(PagingHwpt d) {
        rw.writeLock().lock();
        try {
            if (!domains.remove(d)) {
                return;
            }
            reserved.remove(d);
            reservedChanged();
            if (domains.isEmpty()) {
                for (Area a : areas.values()) {
                    if (a.pinned) {
                        unpin(a);
                    }
                }
                iovaAlignment = 1;
            }
        } finally {
            rw.writeLock().unlock();
        }
    }

    // ---- DMA ----

    /** Copies between {@code buffer} and the memory behind [iova, iova + size): all or nothing. */
    FaultReason transfer(long iova, MemorySegment buffer, boolean toMemory) {
        long len = buffer.byteSize();
        rw.readLock().lock();
        try {
            Area a = areas.containing(iova);
            if (a == null || !a.pinned) {
                return FaultReason.UNMAPPED;
            }
            long off = iova - a.iova;
            if (Long.compareUnsigned(len, a.length - off) <= 0) {
                if (!(toMemory ? a.write : a.read)) {
                    return FaultReason.PERMISSION;
                }
                if (a.pages.backing.isClosed()) {
                    return FaultReason.UNMAPPED;
                }
                MemorySegment mem = a.pages.pinned.asSlice(a.pagesOffset + off, len);
                if (toMemory) {
                    MemorySegment.copy(buffer, 0, mem, 0, len);
                } else {
                    MemorySegment.copy(mem, 0, buffer, 0, len);
                }
                return null;
            }
            // spans areas: check every piece first, then copy
            long done = 0;
            while (done < len) {
                Area p = areas.containing(iova + done);
                if (p == null || !p.pinned || p.pages.backing.isClosed()) {
                    return FaultReason.UNMAPPED;
                }
                if (!(toMemory ? p.write : p.read)) {
                    return FaultReason.PERMISSION;
                }
                done += Math.min(len - done, p.length - (iova + done - p.iova));
            }
            done = 0;
            while (done < len) {
                Area p = areas.containing(iova + done);
                long o = iova + done - p.iova;
                long n = Math.min(len - done, p.length - o);
                MemorySegment mem = p.pages.pinned.asSlice(p.pagesOffset + o, n);
                if (toMemory) {
                    MemorySegment.copy(buffer, done, mem, 0, n);
                } else {
                    MemorySegment.copy(mem, 0, buffer, done, n);
                }
                done += n;
            }
            return null;
        } finally {
            rw.readLock().unlock();
        }
    }

    /** The host memory of the page holding {@code iova} and its permission bits (read 1, write 2), or null. */
    MemorySegment page(long iova, int[] permOut) {
        rw.readLock().lock();
        try {
            Area a = areas.containing(iova);
            if (a == null || !a.pinned || a.pages.backing.isClosed()) {
                return null;
            }
            long pageStart = Math.max(iova & ~(PAGE_SIZE - 1), a.iova);
            long off = pageStart - a.iova;
            long n = Math.min(PAGE_SIZE - (pageStart & (PAGE_SIZE - 1)), a.length - off);
            permOut[0] = (a.read ? 1 : 0) | (a.write ? 2 : 0);
            permOut[1] = (int) (pageStart - (iova & ~(PAGE_SIZE - 1)));
            return a.pages.pinned.asSlice(a.pagesOffset + off, n);
        } finally {
            rw.readLock().unlock();
        }
    }

    // ---- views ----

    /** The live mappings in IOVA order. */
    public List<Mapping> mappings() {
        rw.readLock().lock();
        try {
            List<Mapping> out = new ArrayList<>(areas.size());
            for (Area a : areas.values()) {
                out.add(new Mapping(a.iova, a.length, a.pages.vaddr + a.pagesOffset, a.read, a.write));
            }
            return out;
        } finally {
            rw.readLock().unlock();
        }
    }

    public int mappingCount() {
        rw.readLock().lock();
        try {
            return areas.size();
        } finally {
            rw.readLock().unlock();
        }
    }

    /** Paging HWPTs allocated from this IOAS. */
    List<PagingHwpt> domains() {
        return domains;
    }

    /** The allowed IOVA ranges (empty: all). */
    public List<IovaRange> allowedIovas() {
        rw.readLock().lock();
        try {
            return List.copyOf(allowed);
        } finally {
            rw.readLock().unlock();
        }
    }
}
