package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmm.journal.Journal;
import org.jvmm.journal.JournalCategory;
import org.jvmm.journal.JournalEvent;
import org.jvmm.journal.JournalReader;

/**
 * The journal's {@code vtd} category (reference C.6: "JFR events worth adding: stage-1 walk,
 * invalidation, fault record, page request and response"): a walk, a fault, an invalidation and a
 * page request with its response are recorded in order with their fields.
 */
class VtdEventsAreJournaled {
    private static final long VA = VtdFirstStageTranslation.VA;
    private final VtdGuest g = new VtdGuest();

    @AfterEach
    void close() {
        Journal.close();
        g.close();
    }

    @Test
    @DisplayName("walk, fault, invalidate, page-request and page-response land in the journal with sid, PASID, address and value")
    void eventsInOrder(@TempDir Path dir) throws Exception {
        g.enable(true);
        long pml4 = g.newTable();
        g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US);
        g.pasidEntry(5, 7, pml4, false);
        Journal.open(dir, java.util.EnumSet.of(JournalCategory.VTD));
        g.iommu.dma(VtdGuest.SID, 5, VA, MemorySegment.ofArray(new byte[8]), true);
        g.iommu.dma(VtdGuest.SID, 6, VA, MemorySegment.ofArray(new byte[8]), true);
        g.piotlbPage(7, 5, VA, 0, false);
        g.iommu.hostFault(VtdGuest.SID, 5, VA + 0x1000, false, 3, code -> { });
        g.pageResponse(VtdGuest.SID, 5, 3, PGRESP_INVALID);
        Journal.close();
        List<String> lines = JournalReader.readAll(dir).stream().filter(e -> e.category() == JournalCategory.VTD)
                .map(JournalEvent::format).map(s -> s.substring(s.indexOf("vtd"))).toList();
        assertEquals(List.of(
                "vtd         walk sid 0x18 pasid 5 address 0x7f1234500000 value 0x100000",
                "vtd         fault sid 0x18 pasid 6 address 0x7f1234500000 value 0x59",
                "vtd         invalidate sid 0xffffffffffffffff pasid 5 address 0x7f1234500000 value 0x603",
                "vtd         walk sid 0x18 pasid 5 address 0x7f1234501000 value 0x71",
                "vtd         page-request sid 0x18 pasid 5 address 0x7f1234501000 value 0x3",
                "vtd         page-response sid 0x18 pasid 5 address 0x7f1234501000 value 0x1"), lines);
    }
}
