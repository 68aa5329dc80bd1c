package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.*;

import org.jvmm.hw.spapr.SpaprPhb;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 25 (QEMU hw/ppc/spapr_rtas_ddw.c): DDW via RTAS (ibm,query-pe-dma-window / create /
 * remove): wrong nargs/nret is a parameter error; create fails for a page size outside the mask or
 * a window smaller than a page, and with a hardware error when no LIOBN is free or the PHB already
 * has 2 windows.
 */
@DisplayName("Rule 25: ibm,query/create/remove-pe-dma-window: argument counts, page mask, window size, free LIOBN, 2 windows")
class PaprRule25DdwThroughRtas {
    private static final long ARGS = 0x8000;
    private static final long HI = SpaprPhb.BUID_BASE >>> 32;
    private static final long LO = SpaprPhb.BUID_BASE & 0xffff_ffffL;

    /** Builds rtas_args at ARGS and calls KVMPPC_H_RTAS; returns the address of rets. */
    private static long rtas(PaprRig r, String name, int nret, long... args) {
        r.cells(ARGS, r.m.rtas().token(name), args.length, nret);
        r.cells(ARGS + 12, args);
        r.cells(ARGS + 12 + 4L * args.length, new long[nret]);
        assertEquals(H_SUCCESS, r.call(KVMPPC_H_RTAS, ARGS));
        return ARGS + 12 + 4L * args.length;
    }

    @Test
    void queryReportsWindowsAvailableAndThePageMaskAndCheckesCounts() {
        try (PaprRig r = new PaprRig()) {
            long rets = rtas(r, "ibm,query-pe-dma-window", 5, 0, HI, LO);
            assertEquals(0, r.cell(rets));
            assertEquals(1, r.cell(rets + 4), "the default window is active: one more available");
            assertEquals(0x8000_0000L, r.cell(rets + 8));
            assertEquals(0x107, r.cell(rets + 12), "4K | 64K | 16M | 2M in LoPAPR's encoding (QEMU 7.2 spapr_pci.c pgsz default)");
            rets = rtas(r, "ibm,query-pe-dma-window", 4, 0, HI, LO);
            assertEquals(0xffff_fffdL, r.cell(rets));
            rets = rtas(r, "ibm,query-pe-dma-window", 5, 0, HI);
            assertEquals(0xffff_fffdL, r.cell(rets));
            rets = rtas(r, "ibm,query-pe-dma-window", 5, 0, HI, LO + 1);
            assertEquals(0xffff_fffdL, r.cell(rets), "unknown BUID");
        }
    }

    @Test
    void createChecksThePageSizeAndWindowThenFailsWithAHardwareErrorWhenBothWindowsAreActive() {
        try (PaprRig r = new PaprRig()) {
            String create = "ibm,create-pe-dma-window";
            assertEquals(0xffff_fffdL, r.cell(rtas(r, create, 4, 0, HI, LO, 13, 30)), "8 KiB pages are not in the mask");
            assertEquals(0xffff_fffdL, r.cell(rtas(r, create, 4, 0, HI, LO, 16, 15)), "window smaller than a page");
            assertEquals(0xffff_fffdL, r.cell(rtas(r, create, 3, 0, HI, LO, 16, 30)));
            long rets = rtas(r, create, 4, 0, HI, LO, 16, 32);
            assertEquals(0, r.cell(rets));
            assertEquals(0x8000_0001L, r.cell(rets + 4));
            assertEquals(SpaprPhb.DMA64_WIN_ADDR >>> 32, r.cell(rets + 8));
            assertEquals(0, r.cell(rets + 12));
            assertTrue(r.m.phb().table(1).enabled());
            assertEquals(1L << 16, r.m.phb().table(1).nbTable());
            assertEquals(0xffff_ffffL, r.cell(rtas(r, create, 4, 0, HI, LO, 16, 30)), "no free LIOBN: hardware error");
            assertEquals(0, r.cell(rtas(r, "ibm,query-pe-dma-window", 5, 0, HI, LO) + 4));
            // the window works for H_PUT_TCE
            assertEquals(H_SUCCESS, r.call(H_PUT_TCE, 0x8000_0001L, SpaprPhb.DMA64_WIN_ADDR + 0x30000, 0x10000 | 3));
            assertEquals(0x10003, r.m.phb().table(1).get(3));
        }
    }

    @Test
    void removeTakesTheWindowAwayAndResetRestoresTheDefault() {
        try (PaprRig r = new PaprRig()) {
            rtas(r, "ibm,create-pe-dma-window", 4, 0, HI, LO, 16, 32);
            assertEquals(0, r.cell(rtas(r, "ibm,remove-pe-dma-window", 1, 0x8000_0001L)));
            assertFalse(r.m.phb().table(1).enabled());
            assertEquals(0xffff_fffdL, r.cell(rtas(r, "ibm,remove-pe-dma-window", 1, 0x8000_0001L)), "already removed");
            assertEquals(0xffff_fffdL, r.cell(rtas(r, "ibm,remove-pe-dma-window", 1, 0x1234)));
            assertEquals(0xffff_fffdL, r.cell(rtas(r, "ibm,remove-pe-dma-window", 2, 0x8000_0000L)));
            assertEquals(H_PARAMETER, r.call(H_PUT_TCE, 0x8000_0001L, SpaprPhb.DMA64_WIN_ADDR, 3));
            assertEquals(0, r.cell(rtas(r, "ibm,reset-pe-dma-window", 1, 0, HI, LO)));
            assertTrue(r.m.phb().table(0).enabled());
            assertEquals(1L << 18, r.m.phb().table(0).nbTable());
        }
    }

    @Test
    void anUnknownTokenIsHParameterWithAParameterError() {
        try (PaprRig r = new PaprRig()) {
            r.cells(ARGS, 0x1fff, 0, 1, 0);
            assertEquals(H_PARAMETER, r.call(KVMPPC_H_RTAS, ARGS));
            assertEquals(0xffff_fffdL, r.cell(ARGS + 12));
        }
    }
}
