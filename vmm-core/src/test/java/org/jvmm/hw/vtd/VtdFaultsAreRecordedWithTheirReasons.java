package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * pasid-faults without KVM (C-10, C-11, C-14, C-22): each first-stage failure is recorded in the
 * fault recording register at 0x220 with its reason, source id, PASID and address, FSTS gains
 * PPF, and the fault event interrupt goes to FEADDR/FEDATA; a second fault while the register is
 * full sets PFO; fault-processing-disable suppresses the record, not the failure.
 */
class VtdFaultsAreRecordedWithTheirReasons {
    private static final long VA = VtdFirstStageTranslation.VA;
    private final VtdGuest g = new VtdGuest();

    @AfterEach
    void close() {
        g.close();
    }

    private long setUp(boolean fpd) {
        g.enable(false);
        long pml4 = g.newTable();
        g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US); // page 0: fine
        g.map(pml4, VA + 0x1000, 0x11_0000, 0); // page 1: not present
        g.map(pml4, VA + 0x2000, 0x12_0000, FS_P | FS_RW); // page 2: supervisor only
        g.map(pml4, VA + 0x3000, 0x13_0000, FS_P | FS_US); // page 3: read-only
        g.pasidEntry(5, 7, pml4, fpd);
        return pml4;
    }

    @ParameterizedTest(name = "{0}: reason {2}")
    @CsvSource({
        "non-canonical GVA, 0x0000800000000000, 0x80, true",
        "non-present PTE, 0x00007f1234501000, 0x71, true",
        "user bit clear, 0x00007f1234502000, 0x81, false",
        "write to a read-only PTE, 0x00007f1234503000, 0x85, true",
    })
    @DisplayName("the fault register holds F, type, reason, source id, PASID present and PASID; FSTS.PPF; one interrupt to FEADDR/FEDATA")
    void eachFaultReason(String what, String addr, String reason, boolean write) {
        setUp(false);
        long a = Long.decode(addr);
        int r = Integer.decode(reason);
        assertFalse(g.iommu.dma(VtdGuest.SID, 5, a, MemorySegment.ofArray(new byte[8]), write), what);
        assertEquals(a & ~0xfffL, g.reg(FRCD, 8));
        assertEquals(FRCD_F | (write ? 0 : FRCD_T) | ((long) r << 32) | VtdGuest.SID | FRCD_PP | (5L << 40), g.reg(FRCD + 8, 8));
        assertEquals(FSTS_PPF, g.reg(FSTS, 4));
        assertEquals(1, g.msis.size());
        assertArrayEquals(new long[] {VtdGuest.FEADDR_VALUE, 0x41}, g.msis.get(0));
        g.reg(FRCD + 12, 4, 0x8000_0000L); // write 1 to F
        assertEquals(0, g.reg(FSTS, 4));
        assertEquals(0, g.reg(FRCD + 8, 8) >>> 63);
    }

    @Test
    @DisplayName("a second fault while F is set is not recorded: FSTS.PFO, no second interrupt; once F is cleared the next is recorded and signalled")
    void overflow() {
        setUp(false);
        g.iommu.dma(VtdGuest.SID, 5, VA + 0x1000, MemorySegment.ofArray(new byte[8]), true);
        g.iommu.dma(VtdGuest.SID, 5, VA + 0x2000, MemorySegment.ofArray(new byte[8]), true);
        assertEquals(FSTS_PPF | FSTS_PFO, g.reg(FSTS, 4));
        assertEquals(0x71, (g.reg(FRCD + 8, 8) >>> 32) & 0xff, "the first fault stays");
        assertEquals(1, g.msis.size());
        assertEquals(1, g.iommu.faultsOverflowed());
        g.reg(FRCD + 8, 8, FRCD_F);
        g.reg(FSTS, 4, FSTS_PFO);
        g.iommu.dma(VtdGuest.SID, 5, VA + 0x3000, MemorySegment.ofArray(new byte[8]), true);
        assertEquals(0x85, (g.reg(FRCD + 8, 8) >>> 32) & 0xff);
        assertEquals(2, g.msis.size());
    }

    @Test
    @DisplayName("with FECTL.IM set the fault sets IP instead; clearing IM sends the interrupt and clears IP")
    void maskedFaultEvent() {
        setUp(false);
        g.reg(FECTL, 4, CTL_IM);
        g.iommu.dma(VtdGuest.SID, 5, VA + 0x1000, MemorySegment.ofArray(new byte[8]), true);
        assertEquals(0xc000_0000L, g.reg(FECTL, 4));
        assertEquals(0, g.msis.size());
        g.reg(FECTL, 4, 0);
        assertEquals(0, g.reg(FECTL, 4));
        assertEquals(1, g.msis.size());
    }

    @Test
    @DisplayName("fault processing disabled in the PASID entry: every one of the four faults still fails the DMA but nothing is recorded or signalled")
    void fpdSuppresses() {
        setUp(true);
        assertFalse(g.iommu.dma(VtdGuest.SID, 5, 0x0000_8000_0000_0000L, MemorySegment.ofArray(new byte[8]), true));
        assertFalse(g.iommu.dma(VtdGuest.SID, 5, VA + 0x1000, MemorySegment.ofArray(new byte[8]), true));
        assertFalse(g.iommu.dma(VtdGuest.SID, 5, VA + 0x2000, MemorySegment.ofArray(new byte[8]), false));
        assertFalse(g.iommu.dma(VtdGuest.SID, 5, VA + 0x3000, MemorySegment.ofArray(new byte[8]), true));
        assertEquals(0, g.reg(FSTS, 4));
        assertEquals(0, g.msis.size());
        assertEquals(4, g.iommu.faultsSuppressed());
        assertEquals(0, g.iommu.faultsRecorded());
    }

    @Test
    @DisplayName("PASID table faults: directory entry not present 0x51, PASID entry not present 0x59, a second-stage PGTT 0x5b")
    void pasidTableFaults() {
        setUp(false);
        g.iommu.dma(VtdGuest.SID, 0x40, VA, MemorySegment.ofArray(new byte[8]), true);
        assertEquals(0x51, g.iommu.faultLog().get(0).reason());
        g.reg(FRCD + 8, 8, FRCD_F);
        g.iommu.dma(VtdGuest.SID, 6, VA, MemorySegment.ofArray(new byte[8]), true);
        assertEquals(0x59, g.iommu.faultLog().get(1).reason());
        g.reg(FRCD + 8, 8, FRCD_F);
        g.write64(VtdGuest.PASID_TABLE + 6 * 64, PE_P | ((long) PGTT_SECOND_STAGE << 6));
        g.iommu.dma(VtdGuest.SID, 6, VA, MemorySegment.ofArray(new byte[8]), true);
        assertEquals(0x5b, g.iommu.faultLog().get(2).reason());
    }

    @Test
    @DisplayName("a guest that faults without end costs bounded memory: the VMM keeps the last 256 faults and counts them all")
    void faultLogIsBounded() {
        setUp(false);
        for (int i = 0; i < 300; i++) {
            g.iommu.dma(VtdGuest.SID, 5, VA + 0x1000, MemorySegment.ofArray(new byte[8]), i % 2 == 0);
            g.reg(FRCD + 8, 8, FRCD_F);
        }
        assertEquals(300, g.iommu.faultsRecorded());
        assertEquals(VtdIommu.FAULT_LOG_SIZE, g.iommu.faultLog().size());
        assertEquals(true, g.iommu.faultLog().get(0).write(), "the oldest kept is fault 44 of 0..299 (even: a write)");
        assertEquals(false, g.iommu.faultLog().get(255).write(), "the newest is fault 299 (odd: a read)");
    }
}
