package org.jvmm.iommufd;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.HostIommuTlbEntry;
import org.jvmm.iommu.IommuPermission;

/**
 * A user-managed stage-1 HWPT (IOMMUFD_OBJ_HWPT_NESTED, data type IOMMU_HWPT_DATA_VTD_S1): the
 * device's addresses are translated by a VT-d first-stage table that user space (a guest) owns,
 * rooted at {@code pgtbl_addr}, whose output and whose own table pages are addresses of the
 * parent's IOAS (stage 2). The walk is the x86-64 format VT-d's first stage uses: 4 levels for a
 * 48-bit width, 5 for 57; an entry is present with bit 0, writable with bit 1 (at every level),
 * user-accessible with bit 2 (at every level: the model's requests are user requests, so a leaf
 * without it faults); bit 7 makes a 1 GiB or 2 MiB leaf; bits 51:12 are the next address. An
 * address that is not canonical for the width faults.
 *
 * <p>Translations are cached in an IOTLB, as hardware does: a change user space makes to its
 * table is seen only after IOMMU_HWPT_INVALIDATE drops the entry ({@link #invalidate}).
 */
public final class NestedHwpt extends Hwpt {
    static final long PTE_P = 1;
    static final long PTE_RW = 1 << 1;
    static final long PTE_US = 1 << 2;
    static final long PTE_PS = 1 << 7;
    static final long ADDR_MASK = 0x000f_ffff_ffff_f000L;

    final PagingHwpt parent;
    final long s1Flags;
    final long pgtblAddr;
    final int addrWidth;
    /** VA page -> GPA page | 1 (read) | 2 (write). */
    private final ConcurrentHashMap<Long, Long> iotlb = new ConcurrentHashMap<>();
    private final LongAdder walks = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder stage2Lookups = new LongAdder();

    NestedHwpt(int id, PagingHwpt parent, long s1Flags, long pgtblAddr, int addrWidth, boolean pasidCapable, FaultQueue fault) {
        super(id, pasidCapable, fault);
        this.parent = parent;
        this.s1Flags = s1Flags;
        this.pgtblAddr = pgtblAddr;
        this.addrWidth = addrWidth;
    }

    @Override
    String kind() {
        return "hwpt_nested";
    }

    public PagingHwpt parent() {
        return parent;
    }

    public long pgtblAddr() {
        return pgtblAddr;
    }

    public int addrWidth() {
        return addrWidth;
    }

    /** Table walks done (IOTLB misses that walked). */
    public long walks() {
        return walks.sum();
    }

    /** Cached translations now. */
    public int iotlbSize() {
        return iotlb.size();
    }

    /** Stage-2 lookups: each stage-1 table entry read through the parent and each output page checked. */
    public long stage2Lookups() {
        return stage2Lookups.sum();
    }

    /** Invalidation entries handled. */
    public long invalidations() {
        return invalidations.sum();
    }

    /** Drops the cached translations of [addr, addr + npages pages), or all for addr 0 / npages U64_MAX. */
    void invalidate(long addr, long npages) {
        invalidations.increment();
        if (npages == -1L || Long.compareUnsigned(npages, 1L << 40) > 0) {
            iotlb.clear();
            return;
        }
        if (Long.compareUnsigned(npages, iotlb.size()) > 0) {
            long last = addr + (npages << 12) - 1;
            iotlb.keySet().removeIf(k -> Long.compareUnsigned(k, addr) >= 0 && Long.compareUnsigned(k, last) <= 0);
            return;
        }
        for (long i = 0; i < npages; i++) {
            iotlb.remove(addr + (i << 12));
        }
    }

    /** The GPA page of {@code va}'s page with perm bits (1 read, 2 write), or a negative FaultReason ordinal - 1. */
    private long lookup(long va) {
        long page = va & ~0xfffL;
        Long hit = iotlb.get(page);
        if (hit != null) {
            return hit;
        }
        long r = walk(va);
        if (r >= 0) {
            iotlb.put(page, r);
        }
        return r;
    }

    private long walk(long va) {
        walks.increment();
        int levels = addrWidth == 57 ? 5 : 4;
        int width = levels == 5 ? 57 : 48;
        long high = va >> (width - 1);
        if (high != 0 && high != -1L) {
            return -1 - FaultReason.UNMAPPED.ordinal();
        }
        long table = pgtblAddr & ADDR_MASK;
        boolean write = true;
        boolean user = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8);
            for (int level = levels; level >= 1; level--) {
                int shift = 12 + 9 * (level - 1);
                long index = (va >>> shift) & 0x1ff;
                stage2Lookups.increment();
                FaultReason r = parent.ioas.transfer(table + index * 8, buf, false);
                if (r != null) {
                    return -1 - FaultReason.UNMAPPED.ordinal();
                }
                long pte = buf.get(JAVA_LONG_UNALIGNED, 0);
                if ((pte & PTE_P) == 0) {
                    return -1 - FaultReason.UNMAPPED.ordinal();
                }
                write &= (pte & PTE_RW) != 0;
                user &= (pte & PTE_US) != 0;
                boolean leaf = level == 1 || ((level == 2 || level == 3) && (pte & PTE_PS) != 0);
                if (leaf) {
                    if (!user) {
                        return -1 - FaultReason.PERMISSION.ordinal();
                    }
                    long pageMask = (1L << shift) - 1;
                    long gpa = ((pte & ADDR_MASK) & ~pageMask) | (va & pageMask & ~0xfffL);
                    return gpa | 1 | (write ? 2 : 0);
                }
                table = pte & ADDR_MASK;
            }
        }
        return -1 - FaultReason.UNMAPPED.ordinal();
    }

    @Override
    public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        long len = buffer.byteSize();
        long va = iova.value();
        // translate every page first: all or nothing
        long pages = ((va & 0xfff) + len + 0xfff) >>> 12;
        long[] gpas = new long[(int) Math.min(pages, Integer.MAX_VALUE)];
        for (int i = 0; i < gpas.length; i++) {
            long r = lookup((va & ~0xfffL) + ((long) i << 12));
            if (r < 0) {
                return FaultReason.values()[(int) (-1 - r)];
            }
            if ((r & (toMemory ? 2 : 1)) == 0) {
                return FaultReason.PERMISSION;
            }
            gpas[i] = r & ~0xfffL;
        }
        int[] perm = new int[2];
        for (int i = 0; i < gpas.length; i++) {
            stage2Lookups.increment();
            MemorySegment p = parent.ioas.page(gpas[i], perm);
            if (p == null || p.byteSize() < Ioas.PAGE_SIZE) {
                return FaultReason.UNMAPPED;
            }
            if ((perm[0] & (toMemory ? 2 : 1)) == 0) {
                return FaultReason.PERMISSION;
            }
        }
        long done = 0;
        for (int i = 0; i < gpas.length; i++) {
            long off = i == 0 ? va & 0xfff : 0;
            long n = Math.min(len - done, Ioas.PAGE_SIZE - off);
            MemorySegment p = parent.ioas.page(gpas[i], perm);
            if (toMemory) {
                MemorySegment.copy(buffer, done, p, off, n);
            } else {
                MemorySegment.copy(p, off, buffer, done, n);
            }
            done += n;
        }
        return null;
    }

    @Override
    public HostIommuTlbEntry translate(Iova iova, AccessKind access) {
        long r = lookup(iova.value());
        if (r < 0 || (r & (access == AccessKind.WRITE ? 2 : 1)) == 0) {
            return HostIommuTlbEntry.miss(iova, 0xfff);
        }
        int[] perm = new int[2];
        MemorySegment p = parent.ioas.page(r & ~0xfffL, perm);
        if (p == null || p.byteSize() < Ioas.PAGE_SIZE) {
            return HostIommuTlbEntry.miss(iova, 0xfff);
        }
        boolean w = (r & 2) != 0 && (perm[0] & 2) != 0;
        boolean rd = (perm[0] & 1) != 0;
        IommuPermission ip = IommuPermission.of(rd, w);
        if (!ip.allows(access)) {
            return HostIommuTlbEntry.miss(iova, 0xfff);
        }
        return new HostIommuTlbEntry(new Iova(iova.value() & ~0xfffL), new HostAddress(p.address()), 0xfff, ip);
    }
}
