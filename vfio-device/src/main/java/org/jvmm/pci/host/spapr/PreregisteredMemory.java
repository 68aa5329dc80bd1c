package org.jvmm.pci.host.spapr;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;

/**
 * The VMM process's pre-registered memory (Linux arch/powerpc/mm/book3s64/iommu_api.c, the
 * mm_iommu list): user memory pinned once up front so that TCEs can later be built from it
 * without pinning, by a v2 VFIO container or by KVM's hypercall fast path. A region is found by
 * a user address range it contains; each TCE built from it holds a use ({@code mapped}), and a
 * region in use cannot go away (EBUSY).
 *
 * <p>Thread-safe: registration under this object's monitor; lookups lock-free.
 */
public final class PreregisteredMemory {

    /** One registered region: [ua, ua + size) backed by {@code memory}. */
    public static final class Region {
        private final long ua;
        private final long size;
        private final MemorySegment memory;
        private final AtomicLong mapped = new AtomicLong();
        private int references = 1;
        private volatile boolean removed;

        Region(long ua, long size, MemorySegment memory) {
            this.ua = ua;
            this.size = size;
            this.memory = memory;
        }

        public HostAddress address() {
            return new HostAddress(ua);
        }

        public long size() {
            return size;
        }

        /** TCEs currently built from this region. */
        public long mappedCount() {
            return mapped.get();
        }

        /** The host memory of [ua, ua + len), which must lie inside the region. */
        public MemorySegment slice(long at, long len) {
            return memory.asSlice(at - ua, len);
        }

        boolean contains(long at, long len) {
            return Long.compareUnsigned(at - ua, size) < 0 && Long.compareUnsigned(len, size - (at - ua)) <= 0;
        }

        public void mappedIncrement() {
            mapped.incrementAndGet();
        }

        public void mappedDecrement() {
            mapped.decrementAndGet();
        }

        @Override
        public String toString() {
            return "prereg[ua=0x" + Long.toHexString(ua) + ", size=0x" + Long.toHexString(size) + "]";
        }
    }

    private final ConcurrentSkipListMap<Long, Region> regions = new ConcurrentSkipListMap<>();
    /** The region the last lookup found: hypercalls map pages of the same RAM over and over. */
    private volatile Region last;

    /** mm_iommu_get: the region registered with exactly this range, with a new reference, or null. */
    public synchronized Region get(long ua, long size) {
        Region r = regions.get(ua);
        if (r != null && r.size == size) {
            r.references++;
            return r;
        }
        return null;
    }

    /** mm_iommu_new: registers [ua, ua + size); EINVAL when it overlaps another region. */
    public synchronized Region create(String op, long ua, long size, MemorySegment memory) {
        for (Region r : regions.values()) {
            if (Long.compareUnsigned(ua, r.ua + r.size) < 0 && Long.compareUnsigned(r.ua, ua + size) < 0) {
                throw new ErrnoException(op, Errno.EINVAL, "vaddr=0x" + Long.toHexString(ua) + ", size=0x"
                        + Long.toHexString(size) + " overlaps " + r);
            }
        }
        Region r = new Region(ua, size, memory);
        regions.put(ua, r);
        return r;
    }

    /** mm_iommu_put: drops a reference; the last one removes the region, EBUSY while TCEs use it. */
    public synchronized void put(String op, Region r) {
        if (r.references == 1 && r.mapped.get() != 0) {
            throw new ErrnoException(op, Errno.EBUSY, r + " is still used by " + r.mapped.get() + " TCE(s)");
        }
        if (--r.references == 0) {
            r.removed = true;
            regions.remove(r.ua, r);
            if (last == r) {
                last = null;
            }
        }
    }

    /**
     * Drops a reference at container teardown: as tce_iommu_release, it goes on (and the region
     * with its last reference) even if some TCE still uses it (the kernel only warns).
     */
    public synchronized void release(Region r) {
        if (--r.references == 0) {
            r.removed = true;
            regions.remove(r.ua, r);
            if (last == r) {
                last = null;
            }
        }
    }

    /** mm_iommu_lookup: the region holding all of [ua, ua + size), or null. Lock-free. */
    public Region lookup(long ua, long size) {
        Region l = last;
        if (l != null && !l.removed && l.contains(ua, size)) {
            return l;
        }
        Map.Entry<Long, Region> e = regions.floorEntry(ua);
        if (e == null) {
            return null;
        }
        Region r = e.getValue();
        if (r.contains(ua, size) && !r.removed) {
            last = r;
            return r;
        }
        return null;
    }

    public int regionCount() {
        return regions.size();
    }
}
