package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The emulated-device path of the virtual VT-d, the guest scenario pasid-dma without KVM (C-3 …
 * C-7, C-11, C-12, C-21): a DMA tagged with PASID 5 to a guest virtual address goes through the
 * PASID directory and table to the first-stage tables, is cached per (domain, PASID, page), and
 * sets the accessed and dirty bits it used.
 */
class VtdFirstStageTranslation {
    static final long VA = 0x0000_7f12_3450_0000L;
    private final VtdGuest g = new VtdGuest();

    @AfterEach
    void close() {
        g.close();
    }

    @Test
    @DisplayName("PASID 5 DMA to a GVA lands at the GPA of its PTE; the second DMA to the page hits the IOTLB and walks no more")
    void dmaToAGuestVirtualAddress() {
        g.enable(false);
        long pml4 = g.newTable();
        long pte = g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US);
        g.pasidEntry(5, 7, pml4, false);
        byte[] data = new byte[64];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i + 1);
        }
        assertTrue(g.iommu.dma(VtdGuest.SID, 5, VA + 0x80, MemorySegment.ofArray(data), true));
        assertArrayEquals(data, g.ram.segment().asSlice(0x10_0080, 64).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        assertEquals(1, g.iommu.walks());
        assertEquals(1, g.iommu.iotlb().misses());
        assertEquals(FS_P | FS_RW | FS_US | FS_A | FS_D | 0x10_0000, g.read64(pte), "the leaf gets A and, for a write, D");
        byte[] back = new byte[64];
        assertTrue(g.iommu.dma(VtdGuest.SID, 5, VA + 0x80, MemorySegment.ofArray(back), false));
        assertArrayEquals(data, back);
        assertEquals(1, g.iommu.walks());
        assertEquals(1, g.iommu.iotlb().hits());
        assertEquals(1, g.iommu.iotlb().size());
        assertEquals(new VtdIommu.Translation(0x10_0000, true, 0, false, 7), g.iommu.translate(VtdGuest.SID, 5, VA + 0xfff, false));
    }

    @Test
    @DisplayName("a DMA spanning two pages translates both before moving a byte; a request without PASID uses RID_PASID 0, which has no entry (0x59)")
    void twoPagesAndRidPasid() {
        g.enable(false);
        long pml4 = g.newTable();
        g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US);
        g.map(pml4, VA + 0x1000, 0x20_0000, FS_P | FS_RW | FS_US);
        g.pasidEntry(5, 7, pml4, false);
        byte[] data = new byte[32];
        java.util.Arrays.fill(data, (byte) 0x5a);
        assertTrue(g.iommu.dma(VtdGuest.SID, 5, VA + 0xff0, MemorySegment.ofArray(data), true));
        assertEquals(0x5a5a_5a5a_5a5a_5a5aL, g.read64(0x10_0ff8));
        assertEquals(0x5a5a_5a5a_5a5a_5a5aL, g.read64(0x20_0000));
        assertFalse(g.iommu.dma(VtdGuest.SID, -1, VA, MemorySegment.ofArray(data), true));
        assertEquals(FR_PASID_ENTRY_P, g.iommu.faultLog().get(0).reason());
        assertEquals(0, g.iommu.faultLog().get(0).pasid() + 1, "recorded without a PASID");
    }

    @Test
    @DisplayName("with translation disabled (GSTS.TES clear) a PASID request is blocked and nothing is recorded")
    void translationOffBlocks() {
        g.enable(false);
        g.reg(GCMD, 4, GCMD_QIE);
        long pml4 = g.newTable();
        g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US);
        g.pasidEntry(5, 7, pml4, false);
        assertFalse(g.iommu.dma(VtdGuest.SID, 5, VA, MemorySegment.ofArray(new byte[8]), true));
        assertEquals(0, g.iommu.faultsRecorded());
    }
}
