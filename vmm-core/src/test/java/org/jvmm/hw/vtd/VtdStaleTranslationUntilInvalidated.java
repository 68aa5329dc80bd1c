package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * pasid-stale without KVM (C-17, C-19, C-21): "the modelled IOMMUs should cache stage-1
 * translations per (DID, PASID, page) and honour invalidation scope exactly, so a guest that
 * changes a PTE without invalidating still sees the stale translation".
 */
class VtdStaleTranslationUntilInvalidated {
    private static final long VA = VtdFirstStageTranslation.VA;
    private final VtdGuest g = new VtdGuest();
    private long pml4;
    private long pte;

    @AfterEach
    void close() {
        g.close();
    }

    private void cachedAt(long gpa) {
        g.enable(false);
        pml4 = g.newTable();
        pte = g.map(pml4, VA, gpa, FS_P | FS_RW | FS_US);
        g.pasidEntry(5, 7, pml4, false);
        assertTrue(g.iommu.dma(VtdGuest.SID, 5, VA, MemorySegment.ofArray(new long[] {1}), true));
    }

    private void dmaWrites(long value) {
        assertTrue(g.iommu.dma(VtdGuest.SID, 5, VA, MemorySegment.ofArray(new long[] {value}), true));
    }

    @Test
    @DisplayName("a PTE changed without invalidation: the DMA still goes to the old page; after a page-selective PASID-IOTLB invalidation and a wait, to the new one")
    void pageSelectiveInvalidation() {
        cachedAt(0x10_0000);
        g.write64(pte, 0x20_0000 | FS_P | FS_RW | FS_US);
        dmaWrites(0x1111);
        assertEquals(0x1111, g.read64(0x10_0000), "stale translation used");
        assertEquals(0, g.read64(0x20_0000));
        g.piotlbPage(7, 5, VA, 0, true);
        g.waitFor(0xabcd, false);
        assertEquals(0xabcd, g.read32(VtdGuest.STATUS), "the wait descriptor wrote its status");
        assertEquals(64, g.reg(IQH, 8), "both descriptors consumed (256-bit: 32 bytes each)");
        dmaWrites(0x2222);
        assertEquals(0x2222, g.read64(0x20_0000));
        assertEquals(1, g.iommu.iotlb().pageInvalidations());
        assertEquals(1, g.iommu.descriptors(DESC_PIOTLB));
        assertEquals(1, g.iommu.descriptors(DESC_WAIT));
    }

    @Test
    @DisplayName("invalidation scope is exact: another domain, another PASID or another page leaves the entry; PASID-selective drops it")
    void scopeIsExact() {
        cachedAt(0x10_0000);
        g.write64(pte, 0x20_0000 | FS_P | FS_RW | FS_US);
        g.piotlbPage(8, 5, VA, 0, false);
        g.piotlbPage(7, 6, VA, 0, false);
        g.piotlbPage(7, 5, VA + 0x1000, 0, false);
        dmaWrites(0x3333);
        assertEquals(0x3333, g.read64(0x10_0000));
        g.piotlbPasid(7, 5);
        dmaWrites(0x4444);
        assertEquals(0x4444, g.read64(0x20_0000));
        assertEquals(1, g.iommu.iotlb().pasidInvalidations());
    }

    @Test
    @DisplayName("address mask AM 1 covers the 8 KiB aligned pair of pages: the invalidation of the even page drops the odd one too")
    void addressMask() {
        cachedAt(0x10_0000);
        long pte2 = g.map(pml4, VA + 0x1000, 0x11_0000, FS_P | FS_RW | FS_US);
        assertTrue(g.iommu.dma(VtdGuest.SID, 5, VA + 0x1000, MemorySegment.ofArray(new long[] {1}), true));
        g.write64(pte2, 0x21_0000 | FS_P | FS_RW | FS_US);
        g.piotlbPage(7, 5, VA, 1, false);
        assertTrue(g.iommu.dma(VtdGuest.SID, 5, VA + 0x1000, MemorySegment.ofArray(new long[] {0x55}), true));
        assertEquals(0x55, g.read64(0x21_0000));
    }
}
