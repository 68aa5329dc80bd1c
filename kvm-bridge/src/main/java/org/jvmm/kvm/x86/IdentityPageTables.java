package org.jvmm.kvm.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;

/**
 * 4-level x86-64 page tables that map virtual = physical for [0, mappedBytes) with 2 MiB pages:
 * one PML4 page, one PDPT page and one page directory per GiB, laid out consecutively from
 * {@code base}. Present and writable, supervisor, cacheable (device memory above RAM is still
 * routed by KVM's memslots, so MMIO exits work through these mappings).
 *
 * @param base guest-physical address of the PML4 (CR3)
 * @param mappedBytes size of the identity-mapped range, a multiple of 2 MiB, at most 512 GiB
 */
public record IdentityPageTables(GuestAddress base, long mappedBytes) {
    public static final long PAGE = 4096;
    public static final long LARGE_PAGE = 2L << 20;
    public static final long GIB = 1L << 30;
    static final long PRESENT = 1;
    static final long WRITABLE = 2;
    static final long PAGE_SIZE_BIT = 0x80;

    public IdentityPageTables {
        if (!base.isAligned(PAGE)) {
            throw new IllegalArgumentException("page tables: base " + base + " is not 4 KiB aligned");
        }
        if (mappedBytes <= 0 || mappedBytes % LARGE_PAGE != 0 || mappedBytes > 512 * GIB) {
            throw new IllegalArgumentException("page tables: mapped size 0x" + Long.toHexString(mappedBytes)
                    + " is not a positive multiple of 2 MiB up to 512 GiB");
        }
    }

    /** The PML4's address: the value for CR3. */
    public GuestAddress cr3() {
        return base;
    }

    /** Number of page directories (one per GiB, rounded up). */
    public int directoryCount() {
        return (int) ((mappedBytes + GIB - 1) / GIB);
    }

    /** Bytes the tables occupy from {@link #base()}. */
    public long sizeBytes() {
        return (2L + directoryCount()) * PAGE;
    }

    /** The tables as bytes, to be written at {@link #base()}. */
    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate((int) sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
        long pdpt = base.value() + PAGE;
        b.putLong(0, pdpt | PRESENT | WRITABLE);
        for (int i = 0; i < directoryCount(); i++) {
            long pd = base.value() + (2L + i) * PAGE;
            b.putLong((int) (PAGE + 8L * i), pd | PRESENT | WRITABLE);
        }
        long pages = mappedBytes / LARGE_PAGE;
        for (long p = 0; p < pages; p++) {
            b.putLong((int) (2 * PAGE + 8 * p), (p * LARGE_PAGE) | PRESENT | WRITABLE | PAGE_SIZE_BIT);
        }
        return b.array();
    }
}
