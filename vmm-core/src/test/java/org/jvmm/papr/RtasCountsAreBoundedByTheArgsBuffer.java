package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;
import static org.jvmm.kvm.spapr.Papr.KVMPPC_H_RTAS;

import org.jvmm.hw.spapr.SpaprPhb;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * rtas_args holds args[] and rets[] in 16 cells together (Linux's and KVM's struct rtas_args,
 * arch/powerpc/include/asm/rtas-types.h); KVM's in-kernel RTAS (arch/powerpc/kvm/book3s_rtas.c)
 * refuses nargs of 16 or more, which leaves no rets[0]. A guest's nargs and nret are unsigned
 * 32-bit cells: h_rtas bounds them by the buffer before anything is read or written through
 * them. nargs >= 16: H_PARAMETER, nothing written. nret past the buffer: RTAS_OUT_PARAM_ERROR in
 * rets[0], as a call answers counts it does not take (QEMU hw/ppc/spapr_rtas.c), nothing else written.
 */
class RtasCountsAreBoundedByTheArgsBuffer {
    private static final long ARGS = 0x8000;
    private static final long FILL = 0x5a5a_5a5aL;
    private static final long HI = SpaprPhb.BUID_BASE >>> 32;
    private static final long LO = SpaprPhb.BUID_BASE & 0xffff_ffffL;

    /** Fills 64 cells from ARGS with FILL, then writes the header. */
    private static void header(PaprRig r, long token, long nargs, long nret) {
        long[] fill = new long[64];
        java.util.Arrays.fill(fill, FILL);
        r.cells(ARGS, fill);
        r.cells(ARGS, token, nargs, nret);
    }

    private static void untouchedFrom(PaprRig r, int firstCell) {
        for (int i = firstCell; i < 64; i++) {
            assertEquals(FILL, r.cell(ARGS + 4L * i), "cell " + i + " is left as it was");
        }
    }

    @Test
    @DisplayName("nargs = 16 leaves no rets[0]: H_PARAMETER, and nothing is written")
    void sixteenArgumentsAreRefusedWithoutAWrite() {
        try (PaprRig r = new PaprRig()) {
            header(r, r.m.rtas().token("ibm,query-pe-dma-window"), 16, 1);
            assertEquals(H_PARAMETER, r.call(KVMPPC_H_RTAS, ARGS));
            assertEquals(16, r.cell(ARGS + 4));
            assertEquals(1, r.cell(ARGS + 8));
            untouchedFrom(r, 3);
        }
    }

    @Test
    @DisplayName("nargs = 0xffffffff is 4 Gi arguments, not -1: H_PARAMETER, nothing written (it used to overwrite nret with the status)")
    void nargsIsUnsigned() {
        try (PaprRig r = new PaprRig()) {
            header(r, r.m.rtas().token("ibm,query-pe-dma-window"), 0xffff_ffffL, 1);
            assertEquals(H_PARAMETER, r.call(KVMPPC_H_RTAS, ARGS));
            assertEquals(0xffff_ffffL, r.cell(ARGS + 4));
            assertEquals(1, r.cell(ARGS + 8), "nret is left as it was");
            untouchedFrom(r, 3);
        }
    }

    @Test
    @DisplayName("nret = 1 Mi with 3 args: RTAS_OUT_PARAM_ERROR in rets[0], H_SUCCESS, nothing past rets[0] written")
    void aHugeNretGetsAParameterErrorInRetsZeroOnly() {
        try (PaprRig r = new PaprRig()) {
            header(r, r.m.rtas().token("ibm,query-pe-dma-window"), 3, 1 << 20);
            r.cells(ARGS + 12, 0, HI, LO);
            assertEquals(H_SUCCESS, r.call(KVMPPC_H_RTAS, ARGS));
            assertEquals(0xffff_fffdL, r.cell(ARGS + 24), "rets[0] = RTAS_OUT_PARAM_ERROR");
            untouchedFrom(r, 7);
        }
    }

    @Test
    @DisplayName("an unknown token with too many rets: RTAS_OUT_PARAM_ERROR in rets[0] and H_PARAMETER, as before")
    void anUnknownTokenWithTooManyRets() {
        try (PaprRig r = new PaprRig()) {
            header(r, 0x1234, 2, 100);
            assertEquals(H_PARAMETER, r.call(KVMPPC_H_RTAS, ARGS));
            assertEquals(0xffff_fffdL, r.cell(ARGS + 20));
            untouchedFrom(r, 6);
        }
    }

    @Test
    @DisplayName("the whole buffer is usable: 3 args + 13 rets reaches the call, which answers the counts it takes")
    void countsThatFillTheBufferExactlyReachTheCall() {
        try (PaprRig r = new PaprRig()) {
            header(r, r.m.rtas().token("ibm,query-pe-dma-window"), 3, 13);
            r.cells(ARGS + 12, 0, HI, LO);
            assertEquals(H_SUCCESS, r.call(KVMPPC_H_RTAS, ARGS));
            assertEquals(0xffff_fffdL, r.cell(ARGS + 24), "query takes nret 5 or 6: its own parameter error");
            header(r, r.m.rtas().token("ibm,query-pe-dma-window"), 3, 5);
            r.cells(ARGS + 12, 0, HI, LO);
            assertEquals(H_SUCCESS, r.call(KVMPPC_H_RTAS, ARGS));
            assertEquals(0, r.cell(ARGS + 24), "counts within the buffer work as before");
        }
    }
}
