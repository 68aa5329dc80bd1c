package org.jvmm.papr;

import static org.jvmm.kvm.spapr.Papr.*;

import java.util.function.LongFunction;
import org.jvmm.address.GuestAddress;
import org.jvmm.hw.spapr.SpaprTceTable;
import org.jvmm.memory.GuestMemory;

/**
 * The TCE hypercalls as the VMM handles them (QEMU hw/ppc/spapr_iommu.c), for every call the
 * accelerator hands up:
 * <ul>
 * <li>an LIOBN that is unknown, or has any of its upper 32 bits set, is H_PARAMETER (rule 20);</li>
 * <li>H_PUT_TCE rounds ioba down to the IOMMU page, index = (ioba - bus_offset) &gt;&gt; shift, an
 *     index past the table is H_PARAMETER; the TCE is stored as given and the notifier fires, MAP
 *     for R/W, UNMAP otherwise (rule 21);</li>
 * <li>H_PUT_TCE_INDIRECT: more than 512 entries or a list not 4 KiB aligned is H_PARAMETER; the
 *     big-endian entries apply in order and the first failure stops it, earlier ones stay (rule 22);</li>
 * <li>H_STUFF_TCE: every value is accepted; a count larger than the table is H_PARAMETER before
 *     anything is written (QEMU 7.2 hw/ppc/spapr_iommu.c h_stuff_tce), and a run that reaches the
 *     table's end stops there with H_PARAMETER (rule 23);</li>
 * <li>H_GET_TCE: ioba rounded down, bounds checked, the TCE in r4 (rule 24).</li>
 * </ul>
 */
public final class TceHypercalls {
    private final LongFunction<SpaprTceTable> tables;
    private final GuestMemory memory;

    /**
     * @param tables finds the table of an LIOBN (null when none)
     * @param memory guest memory, for the INDIRECT list
     */
    public TceHypercalls(LongFunction<SpaprTceTable> tables, GuestMemory memory) {
        this.tables = tables;
        this.memory = memory;
    }

    /** Registers the four calls in {@code table}. */
    public void registerIn(PaprHypercalls table) {
        table.register(H_PUT_TCE, (a, r) -> putTce(a[0], a[1], a[2]));
        table.register(H_PUT_TCE_INDIRECT, (a, r) -> putTceIndirect(a[0], a[1], a[2], a[3]));
        table.register(H_STUFF_TCE, (a, r) -> stuffTce(a[0], a[1], a[2], a[3]));
        table.register(H_GET_TCE, (a, r) -> getTce(a[0], a[1], r));
    }

    /** spapr_tce_find_by_liobn. */
    private SpaprTceTable find(long liobn) {
        if ((liobn & 0xffff_ffff_0000_0000L) != 0) {
            return null;
        }
        return tables.apply(liobn);
    }

    public long putTce(long liobn, long ioba, long tce) {
        SpaprTceTable t = find(liobn);
        if (t == null) {
            return H_PARAMETER;
        }
        return t.putTce(ioba & -(1L << t.pageShift()), tce);
    }

    public long putTceIndirect(long liobn, long ioba, long tceList, long npages) {
        SpaprTceTable t = find(liobn);
        if (t == null) {
            return H_PARAMETER;
        }
        if (Long.compareUnsigned(npages, MAX_TCES_PER_CALL) > 0 || (tceList & 0xfff) != 0) {
            return H_PARAMETER;
        }
        long pageSize = 1L << t.pageShift();
        long at = ioba & -pageSize;
        long ret = H_PARAMETER;
        for (long i = 0; i < npages; i++, at += pageSize) {
            long tce = memory.read(new GuestAddress(tceList + i * 8), 8); // ldq_be_phys: the CPU's order is big-endian
            ret = t.putTce(at, tce);
            if (ret != H_SUCCESS) {
                break;
            }
        }
        return npages == 0 ? H_PARAMETER : ret;
    }

    public long stuffTce(long liobn, long ioba, long tceValue, long npages) {
        SpaprTceTable t = find(liobn);
        if (t == null) {
            return H_PARAMETER;
        }
        if (Long.compareUnsigned(npages, t.nbTable()) > 0) {
            return H_PARAMETER; // QEMU checks the count against the table size first and writes nothing
        }
        long pageSize = 1L << t.pageShift();
        long at = ioba & -pageSize;
        long ret = H_PARAMETER;
        // a run that starts inside the table and reaches its end stops there (rule 23)
        for (long i = 0; Long.compareUnsigned(i, npages) < 0; i++, at += pageSize) {
            ret = t.putTce(at, tceValue);
            if (ret != H_SUCCESS) {
                break;
            }
        }
        return ret;
    }

    public long getTce(long liobn, long ioba, long[] rets) {
        SpaprTceTable t = find(liobn);
        if (t == null) {
            return H_PARAMETER;
        }
        Long tce = t.getTce(ioba & -(1L << t.pageShift()));
        if (tce == null) {
            return H_PARAMETER;
        }
        rets[0] = tce;
        return H_SUCCESS;
    }
}
