package org.jvmm.papr;

import static org.jvmm.papr.Rtas.*;

import java.util.List;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.hw.spapr.SpaprTceTable;

/**
 * Dynamic DMA windows through RTAS (QEMU hw/ppc/spapr_rtas_ddw.c, rule 25):
 * <ul>
 * <li>ibm,query-pe-dma-window (3 args; 5 or 6 rets): windows available, the largest window, the
 *     page-size mask in LoPAPR's encoding;</li>
 * <li>ibm,create-pe-dma-window (5 args: config address, BUID hi/lo, page shift, window shift;
 *     4 rets: status, LIOBN, start hi/lo): a page size outside the PHB's mask or a window smaller
 *     than a page is a parameter error; no free LIOBN or both windows active is a hardware error;</li>
 * <li>ibm,remove-pe-dma-window (1 arg: LIOBN; 1 ret);</li>
 * <li>ibm,reset-pe-dma-window (3 args; 1 ret): back to the default 32-bit window.</li>
 * </ul>
 * Any other count of arguments or returns is a parameter error; so is an unknown BUID.
 */
public final class DdwRtasCalls {
    private final List<SpaprPhb> phbs;

    public DdwRtasCalls(List<SpaprPhb> phbs) {
        this.phbs = List.copyOf(phbs);
    }

    public void registerIn(Rtas rtas) {
        rtas.register("ibm,query-pe-dma-window", this::query);
        rtas.register("ibm,create-pe-dma-window", this::create);
        rtas.register("ibm,remove-pe-dma-window", this::remove);
        rtas.register("ibm,reset-pe-dma-window", this::reset);
    }

    private SpaprPhb phb(long buidHi, long buidLo) {
        long buid = buidHi << 32 | buidLo;
        for (SpaprPhb p : phbs) {
            if (p.buid() == buid) {
                return p;
            }
        }
        return null;
    }

    /** spapr_page_mask_to_query_mask: page sizes in LoPAPR's query encoding. */
    static long queryMask(long pageSizeMask) {
        long[][] map = {{12, 0x001}, {16, 0x002}, {24, 0x004}, {25, 0x008}, {26, 0x010}, {27, 0x020}, {28, 0x040},
            {34, 0x080}, {21, 0x100}};
        long mask = 0;
        for (long[] m : map) {
            if ((pageSizeMask & (1L << m[0])) != 0) {
                mask |= m[1];
            }
        }
        return mask;
    }

    void query(Rtas.Args a) {
        if (a.nargs() != 3 || (a.nret() != 5 && a.nret() != 6)) {
            paramError(a);
            return;
        }
        SpaprPhb p = phb(a.arg(1), a.arg(2));
        if (p == null || !p.ddwEnabled()) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        long pgmask = queryMask(p.pageSizeMask());
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, SpaprPhb.MAX_WINDOWS - p.activeWindows());
        if (a.nret() == 6) {
            a.ret(2, 0x20); // the largest TCE count, 1 << (58 - 21), high then low word
            a.ret(3, 0);
            a.ret(4, pgmask);
            a.ret(5, 0); // DMA migration mask: none
        } else {
            a.ret(2, 0x8000_0000L);
            a.ret(3, pgmask);
            a.ret(4, 0);
        }
    }

    void create(Rtas.Args a) {
        if (a.nargs() != 5 || a.nret() != 4) {
            paramError(a);
            return;
        }
        SpaprPhb p = phb(a.arg(1), a.arg(2));
        if (p == null || !p.ddwEnabled()) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        long pageShift = a.arg(3);
        long windowShift = a.arg(4);
        if (pageShift > 63 || (p.pageSizeMask() & (1L << pageShift)) == 0 || windowShift < pageShift || windowShift > 62) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        long liobn = p.freeLiobn();
        if (liobn == 0 || p.activeWindows() == SpaprPhb.MAX_WINDOWS) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        SpaprTceTable t = p.tableByLiobn(liobn);
        long winAddr = p.activeWindows() == 0 ? SpaprPhb.DMA_WIN_ADDR : SpaprPhb.DMA64_WIN_ADDR;
        long entries = 1L << (windowShift - pageShift);
        try {
            p.enable(t, (int) pageShift, winAddr, entries);
        } catch (RuntimeException e) {
            a.ret(0, RTAS_OUT_HW_ERROR); // the table could not be made (too large, or the host refused)
            return;
        }
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, liobn);
        a.ret(2, winAddr >>> 32);
        a.ret(3, winAddr & 0xffff_ffffL);
    }

    void remove(Rtas.Args a) {
        if (a.nargs() != 1 || a.nret() != 1) {
            paramError(a);
            return;
        }
        long liobn = a.arg(0);
        SpaprPhb owner = null;
        SpaprTceTable t = null;
        for (SpaprPhb p : phbs) {
            if (p.tableByLiobn(liobn) != null) {
                owner = p;
                t = p.tableByLiobn(liobn);
            }
        }
        if (t == null || !owner.ddwEnabled() || !t.enabled()) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        owner.disable(t);
        a.ret(0, RTAS_OUT_SUCCESS);
    }

    void reset(Rtas.Args a) {
        if (a.nargs() != 3 || a.nret() != 1) {
            paramError(a);
            return;
        }
        SpaprPhb p = phb(a.arg(1), a.arg(2));
        if (p == null || !p.ddwEnabled()) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        p.resetDma();
        a.ret(0, RTAS_OUT_SUCCESS);
    }

    private static void paramError(Rtas.Args a) {
        if (a.nret() > 0) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
        }
    }
}
