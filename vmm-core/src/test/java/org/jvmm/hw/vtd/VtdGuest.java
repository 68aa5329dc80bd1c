package org.jvmm.hw.vtd;

import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.RamRegion;

/**
 * What a guest kernel does with the virtual VT-d, in Java, for the tests that drive the model
 * without KVM (the x86 pasid-* guests do the same in C): 4 MiB of guest RAM at 0, a scalable-mode
 * root and context table for one device, a PASID directory and table, first-stage tables built
 * from a bump allocator, a 256-bit invalidation queue and a page request queue.
 */
public final class VtdGuest implements AutoCloseable {
    public static final int SID = 3 << 3; // 00:03.0
    public static final long ROOT = 0x10000;
    public static final long CONTEXT = 0x11000;
    public static final long PASID_DIR = 0x12000;
    public static final long PASID_TABLE = 0x13000;
    public static final long IQ = 0x20000;
    public static final long PRQ = 0x21000;
    public static final long STATUS = 0x22000;
    public static final long TABLES = 0x40000;
    public static final long FEADDR_VALUE = 0xfee0_0000L;

    public final RamRegion ram;
    public final AddressSpace memory;
    public final VtdIommu iommu;
    /** MSIs the IOMMU sent: {address, data}. */
    public final List<long[]> msis = new ArrayList<>();
    private long nextTable = TABLES;
    private long iqTail;

    public VtdGuest(HostMemoryRegistry registry) {
        this(RamRegion.allocate(registry, "ram", 4 << 20));
    }

    public VtdGuest(RamRegion ram) {
        this.ram = ram;
        ContainerRegion system = new ContainerRegion("system", 1L << 32);
        memory = new AddressSpace("memory", system, ByteOrder.LITTLE_ENDIAN);
        memory.transaction(() -> system.addSubregion(0, ram));
        iommu = new VtdIommu(memory, (a, d) -> msis.add(new long[] {a, d}));
    }

    public VtdGuest() {
        this(new HostMemoryRegistry());
    }

    public long read64(long gpa) {
        return ram.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, gpa);
    }

    public void write64(long gpa, long v) {
        ram.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, v);
    }

    public int read32(long gpa) {
        return ram.segment().get(ValueLayout.JAVA_INT_UNALIGNED, gpa);
    }

    public long reg(int off, int size) {
        return iommu.read(off, size);
    }

    public void reg(int off, int size, long v) {
        iommu.write(off, size, v);
    }

    /** Sets a GCMD bit the way Linux does: current status | the command. */
    public void gcmd(int bit) {
        reg(GCMD, 4, (reg(GSTS, 4) & (GSTS_TES | GSTS_QIES)) | bit);
    }

    /**
     * Root and context entry for {@link #SID} (PASID directory of 128 entries, RID_PASID 0, page
     * requests as {@code pre}), the root pointer latched, queued invalidation on (256-bit, one
     * page), the page request queue (one page), fault and page-request interrupts to vectors
     * 0x41 and 0x42, translation enabled.
     */
    public void enable(boolean pre) {
        write64(ROOT, CONTEXT | ROOT_P);
        write64(CONTEXT + (SID & 0x7f) * 32L, PASID_DIR | CTX_P | (pre ? CTX_PRE : 0));
        reg(RTADDR, 8, ROOT | RTADDR_SMT);
        gcmd(GCMD_SRTP);
        reg(IQA, 8, IQ | (1L << 11));
        reg(IQT, 8, 0);
        gcmd(GCMD_QIE);
        reg(PQA, 8, PRQ);
        reg(FEDATA, 4, 0x41);
        reg(FEADDR, 4, FEADDR_VALUE);
        reg(FECTL, 4, 0);
        reg(PEDATA, 4, 0x42);
        reg(PEADDR, 4, FEADDR_VALUE);
        reg(PECTL, 4, 0);
        reg(IEDATA, 4, 0x43);
        reg(IEADDR, 4, FEADDR_VALUE);
        reg(IECTL, 4, 0);
        gcmd(GCMD_TE);
    }

    /** A first-stage (PGTT 1, 4-level) PASID entry for {@code pasid} in domain {@code did}, rooted at {@code pml4}. */
    public void pasidEntry(int pasid, int did, long pml4, boolean fpd) {
        write64(PASID_DIR + (pasid >>> 6) * 8L, PASID_TABLE | PDE_P);
        long e = PASID_TABLE + (pasid & 0x3f) * 64L;
        write64(e, PE_P | (fpd ? PE_FPD : 0) | ((long) PGTT_FIRST_STAGE << 6));
        write64(e + 8, did);
        write64(e + 16, pml4);
    }

    public void clearPasidEntry(int pasid) {
        write64(PASID_TABLE + (pasid & 0x3f) * 64L, 0);
    }

    /** A zeroed 4 KiB table page. */
    public long newTable() {
        long t = nextTable;
        nextTable += 4096;
        ram.segment().asSlice(t, 4096).fill((byte) 0);
        return t;
    }

    /** Maps the 4 KiB page {@code va} to {@code gpa} in the 4-level tables at {@code pml4} with leaf flags {@code flags}; returns the PTE's address. */
    public long map(long pml4, long va, long gpa, long flags) {
        long table = pml4;
        for (int level = 4; level > 1; level--) {
            long slot = table + ((va >>> (12 + 9 * (level - 1))) & 0x1ff) * 8;
            long e = read64(slot);
            if ((e & FS_P) == 0) {
                e = newTable() | FS_P | FS_RW | FS_US;
                write64(slot, e);
            }
            table = e & ADDR_MASK;
        }
        long pte = table + ((va >>> 12) & 0x1ff) * 8;
        write64(pte, gpa | flags);
        return pte;
    }

    /** Puts a 256-bit descriptor on the invalidation queue and moves the tail past it. */
    public void submit(long w0, long w1) {
        write64(IQ + iqTail, w0);
        write64(IQ + iqTail + 8, w1);
        write64(IQ + iqTail + 16, 0);
        write64(IQ + iqTail + 24, 0);
        iqTail = (iqTail + 32) % 4096;
        reg(IQT, 8, iqTail);
    }

    public void pasidCacheInvalidate(int did, int pasid) {
        submit(DESC_PASIDC | ((long) PASIDC_G_PASID << 4) | ((long) did << 16) | ((long) pasid << 32), 0);
    }

    public void piotlbPage(int did, int pasid, long addr, int am, boolean ih) {
        submit(DESC_PIOTLB | ((long) PIOTLB_G_PAGE << 4) | ((long) did << 16) | ((long) pasid << 32), addr | am | (ih ? 1L << 6 : 0));
    }

    public void piotlbPasid(int did, int pasid) {
        submit(DESC_PIOTLB | ((long) PIOTLB_G_PASID << 4) | ((long) did << 16) | ((long) pasid << 32), 0);
    }

    /** A wait descriptor writing {@code data} to {@link #STATUS}. */
    public void waitFor(int data, boolean interrupt) {
        submit(DESC_WAIT | WAIT_SW | (interrupt ? WAIT_IF : 0) | ((long) data << 32), STATUS);
    }

    public void pageResponse(int rid, int pasid, int prgi, int code) {
        submit(DESC_PGRESP | (1L << 4) | ((long) code << 12) | ((long) rid << 16) | ((long) pasid << 32), (long) prgi << 3);
    }

    @Override
    public void close() {
        ram.close();
    }
}
