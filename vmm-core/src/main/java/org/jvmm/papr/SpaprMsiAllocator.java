package org.jvmm.papr;

import java.util.BitSet;
import org.jvmm.kvm.spapr.SpaprXics;

/**
 * QEMU 7.2's MSI number allocator (hw/ppc/spapr_irq.c, spapr_irq_msi_alloc/free): a bitmap over
 * the {@link SpaprXics#NR_MSIS} sources from {@link SpaprXics#MSI_BASE}, first fit from the start.
 * QEMU turns its boolean "align" into an alignment mask by subtracting one from a C bool, so a
 * block for MSI (align true) gets mask 0 (any start) and a block for MSI-X (align false) gets
 * mask 1 (an even start); this allocator does the same, so numbers match QEMU's.
 *
 * <p>Thread-safe (its monitor).
 */
public final class SpaprMsiAllocator {
    private final BitSet used = new BitSet(SpaprXics.NR_MSIS);

    /**
     * Allocates {@code num} consecutive sources; returns the first source number, or -1 when no
     * block fits ("can't find a free N-IRQ block").
     */
    public synchronized int alloc(int num, boolean align) {
        if (num <= 0) {
            throw new IllegalArgumentException("MSI allocation of " + num + " sources");
        }
        int mask = align ? 0 : 1;
        int start = 0;
        while (true) {
            int index = used.nextClearBit(start);
            index = (index + mask) & ~mask;
            int end = index + num;
            if (end > SpaprXics.NR_MSIS) {
                return -1;
            }
            int busy = used.nextSetBit(index);
            if (busy >= 0 && busy < end) {
                start = busy + 1;
                continue;
            }
            used.set(index, end);
            return index + SpaprXics.MSI_BASE;
        }
    }

    /** Frees {@code num} sources from {@code irq}. */
    public synchronized void free(int irq, int num) {
        int from = irq - SpaprXics.MSI_BASE;
        if (from < 0 || num < 0 || from + num > SpaprXics.NR_MSIS) {
            throw new IllegalArgumentException("MSI free of " + num + " sources from 0x" + Integer.toHexString(irq)
                    + " outside the MSI range");
        }
        used.clear(from, from + num);
    }

    /** Sources allocated now. */
    public synchronized int allocated() {
        return used.cardinality();
    }
}
