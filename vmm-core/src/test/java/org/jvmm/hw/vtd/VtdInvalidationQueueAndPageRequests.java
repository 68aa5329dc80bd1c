package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Queued invalidation (C-15, C-16, C-19) and page requests (C-23 … C-25, pasid-pri without KVM):
 * a malformed descriptor stops the queue with FSTS.IQE; the wait descriptor's interrupt; a fault
 * of a device with page requests enabled becomes a 32-byte page request descriptor, answered by
 * the guest's page group response.
 */
class VtdInvalidationQueueAndPageRequests {
    private static final long VA = VtdFirstStageTranslation.VA;
    private final VtdGuest g = new VtdGuest();
    private final List<Integer> answers = new ArrayList<>();

    @AfterEach
    void close() {
        g.close();
    }

    @Test
    @DisplayName("a descriptor of type 0, or a PASID-IOTLB one with a reserved bit, sets FSTS.IQE, leaves IQH on it and processes nothing after it")
    void malformedDescriptorStopsTheQueue() {
        g.enable(false);
        g.submit(DESC_PIOTLB | ((long) PIOTLB_G_PASID << 4) | (1L << 8), 0);
        g.waitFor(1, false);
        assertEquals(FSTS_IQE, g.reg(FSTS, 4));
        assertEquals(0, g.reg(IQH, 8));
        assertEquals(0, g.read32(VtdGuest.STATUS), "the wait after it did not run");
        assertEquals(1, g.msis.size(), "the fault event");
        // the guest fixes the descriptor, clears IQE, and moves the tail again
        g.write64(VtdGuest.IQ, DESC_PIOTLB | ((long) PIOTLB_G_PASID << 4));
        g.reg(FSTS, 4, FSTS_IQE);
        g.reg(IQT, 8, 64);
        assertEquals(1, g.read32(VtdGuest.STATUS));
        assertEquals(64, g.reg(IQH, 8));
        g.submit(0, 0);
        assertEquals(FSTS_IQE, g.reg(FSTS, 4));
        assertEquals(64, g.reg(IQH, 8));
    }

    @Test
    @DisplayName("a wait descriptor with IF sets ICS.IWC and interrupts through IEADDR/IEDATA; ICS is write-1-to-clear")
    void waitInterrupt() {
        g.enable(false);
        g.waitFor(7, true);
        assertEquals(ICS_IWC, g.reg(ICS, 4));
        assertArrayEquals(new long[] {VtdGuest.FEADDR_VALUE, 0x43}, g.msis.get(0));
        g.reg(ICS, 4, ICS_IWC);
        assertEquals(0, g.reg(ICS, 4));
    }

    private void mappedExceptPage1(boolean pre) {
        g.enable(pre);
        long pml4 = g.newTable();
        g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US);
        g.map(pml4, VA + 0x1000, 0, 0);
        g.pasidEntry(5, 7, pml4, false);
    }

    @Test
    @DisplayName("with PRE in the context entry a non-present page becomes a page request descriptor at PQT, PRS.PPR and the interrupt to PEADDR/PEDATA; a SUCCESS response lets the device retry")
    void pageRequestAnsweredSuccess() {
        mappedExceptPage1(true);
        g.iommu.hostFault(VtdGuest.SID, 5, VA + 0x1234, true, 7, answers::add);
        assertEquals(List.of(), answers, "the device waits for the guest");
        assertEquals(PRD_TYPE | PRD_PASID_PRESENT | ((long) VtdGuest.SID << 16) | (5L << 32), g.read64(VtdGuest.PRQ));
        assertEquals(PRD_RD | PRD_WR | PRD_LPIG | (7L << 3) | (VA + 0x1000), g.read64(VtdGuest.PRQ + 8));
        assertEquals(32, g.reg(PQT, 8));
        assertEquals(PRS_PPR, g.reg(PRS, 4));
        assertArrayEquals(new long[] {VtdGuest.FEADDR_VALUE, 0x42}, g.msis.get(0));
        assertEquals(0, g.iommu.faultsRecorded());
        // the guest consumes the request and answers
        g.reg(PQH, 8, 32);
        g.reg(PRS, 4, PRS_PPR);
        g.pageResponse(VtdGuest.SID, 5, 7, PGRESP_SUCCESS);
        assertEquals(List.of(0), answers);
        assertEquals(1, g.iommu.pageRequests());
        assertEquals(1, g.iommu.pageResponses());
    }

    @Test
    @DisplayName("an INVALID (1) or FAILURE (0xF) response reaches the device as invalid; a response for no pending group is ignored")
    void pageRequestAnsweredInvalid() {
        mappedExceptPage1(true);
        g.iommu.hostFault(VtdGuest.SID, 5, VA + 0x1000, false, 3, answers::add);
        assertEquals(PRD_RD | PRD_LPIG | (3L << 3) | (VA + 0x1000), g.read64(VtdGuest.PRQ + 8));
        g.pageResponse(VtdGuest.SID, 5, 3, PGRESP_INVALID);
        g.iommu.hostFault(VtdGuest.SID, 5, VA + 0x1000, false, 4, answers::add);
        g.pageResponse(VtdGuest.SID, 5, 4, PGRESP_FAILURE);
        g.pageResponse(VtdGuest.SID, 5, 9, PGRESP_SUCCESS);
        assertEquals(List.of(1, 1), answers);
        assertEquals(64, g.reg(PQT, 8));
    }

    @Test
    @DisplayName("without PRE the same fault is recorded (0x71) and answered INVALID at once; a page that translates now is answered SUCCESS")
    void withoutPageRequests() {
        mappedExceptPage1(false);
        g.iommu.hostFault(VtdGuest.SID, 5, VA + 0x1000, true, 1, answers::add);
        assertEquals(List.of(1), answers);
        assertEquals(0x71, g.iommu.faultLog().get(0).reason());
        assertEquals(0, g.reg(PQT, 8));
        g.iommu.hostFault(VtdGuest.SID, 5, VA, true, 2, answers::add);
        assertEquals(List.of(1, 0), answers);
        assertEquals(1, g.iommu.faultsRecorded());
    }
}
