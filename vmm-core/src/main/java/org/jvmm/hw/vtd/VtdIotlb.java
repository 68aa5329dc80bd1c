package org.jvmm.hw.vtd;

import java.util.HashMap;
import java.util.Map;

/**
 * The virtual VT-d's IOTLB (C-21): first-stage translations cached per (domain id, PASID, page),
 * kept until an invalidation whose scope covers them, so a guest that changes a PTE without
 * invalidating keeps using the old page, exactly as hardware does. Counts hits, misses and the
 * invalidations of each scope. Guarded by the owning {@link VtdIommu}'s lock.
 */
public final class VtdIotlb {
    /** What {@link #lookup} returns on a miss. */
    public static final long MISS = -1L;

    private record Key(int did, int pasid, long page) {
    }

    private final Map<Key, Long> entries = new HashMap<>();
    private long hits;
    private long misses;
    private long pageInvalidations;
    private long pasidInvalidations;
    private long globalInvalidations;

    /** The cached GPA page | 1 (read) | 2 (write) of (did, pasid, page), or {@link #MISS}. */
    long lookup(int did, int pasid, long page) {
        Long v = entries.get(new Key(did, pasid, page));
        if (v == null) {
            misses++;
            return MISS;
        }
        hits++;
        return v;
    }

    void insert(int did, int pasid, long page, long value) {
        entries.put(new Key(did, pasid, page), value);
    }

    /** Page-selective within a PASID (type 6, granularity 3): [addr, addr + npages pages). */
    void invalidatePages(int did, int pasid, long addr, long npages) {
        pageInvalidations++;
        long last = addr + ((npages - 1) << 12);
        entries.keySet().removeIf(k -> k.did == did && k.pasid == pasid && Long.compareUnsigned(k.page, addr) >= 0
                && Long.compareUnsigned(k.page, last) <= 0);
    }

    /** PASID-selective (type 6, granularity 2). */
    void invalidatePasid(int did, int pasid) {
        pasidInvalidations++;
        entries.keySet().removeIf(k -> k.did == did && k.pasid == pasid);
    }

    /** One page of a PASID in every domain (the implicit invalidation after a page response, C-25). */
    void invalidatePasidPage(int pasid, long page) {
        pageInvalidations++;
        entries.keySet().removeIf(k -> k.pasid == pasid && k.page == page);
    }

    void clear() {
        globalInvalidations++;
        entries.clear();
    }

    public int size() {
        return entries.size();
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public long pageInvalidations() {
        return pageInvalidations;
    }

    public long pasidInvalidations() {
        return pasidInvalidations;
    }

    public long globalInvalidations() {
        return globalInvalidations;
    }
}
