package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.*;

import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.memory.IommuEvent;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.memory.IommuTlbEntry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Rule 20 (QEMU hw/ppc/spapr_iommu.c): An unknown LIOBN, or one with any of the upper 32 bits set,
 * is H_PARAMETER (-4).
 *
 * Rule 21 (QEMU hw/ppc/spapr_iommu.c): H_PUT_TCE (0x20): ioba is rounded down to the IOMMU page
 * (not an error); index = (ioba - bus_offset) >> page_shift; index >= table size is H_PARAMETER
 * (this also catches ioba < bus_offset through wraparound). The TCE is stored as given. A notifier
 * fires: MAP if permission bits (tce & 3: 1 read, 2 write, 3 both) are non-zero, else UNMAP.
 *
 * Rule 22 (QEMU hw/ppc/spapr_iommu.c): H_PUT_TCE_INDIRECT (0x13C): npages > 512 or a tce_list not
 * 4 KiB aligned is H_PARAMETER; entries are big-endian 64-bit, applied in order; processing stops
 * at the first failure and returns its status, with earlier entries left written.
 *
 * Rule 23 (QEMU hw/ppc/spapr_iommu.c): H_STUFF_TCE (0x138): npages beyond the table is
 * H_PARAMETER; any value is accepted.
 *
 * Rule 24 (QEMU hw/ppc/spapr_iommu.c): H_GET_TCE (0x1C): ioba rounded down, bounds checked
 * (H_PARAMETER), the TCE returned in R4.
 */
@DisplayName("Rules 20-24: the TCE hypercalls with QEMU's semantics (spapr_iommu.c)")
class PaprRule20To24TceHypercalls {

    @Nested
    @DisplayName("Rule 20: an unknown LIOBN, or one with any upper 32 bit set, is H_PARAMETER")
    class Rule20UnknownLiobn {
        @Test
        void unknownOrWideLiobnsAreHParameterForEveryCall() {
            try (PaprRig r = new PaprRig()) {
                for (long liobn : new long[] {0x8000_0005L, 0x1_8000_0000L, 0xffff_ffff_8000_0000L}) {
                    assertEquals(H_PARAMETER, r.call(H_PUT_TCE, liobn, 0, 3));
                    assertEquals(H_PARAMETER, r.call(H_GET_TCE, liobn, 0));
                    assertEquals(H_PARAMETER, r.call(H_STUFF_TCE, liobn, 0, 0, 1));
                    assertEquals(H_PARAMETER, r.call(H_PUT_TCE_INDIRECT, liobn, 0, 0x1000, 1));
                }
                assertEquals(0, r.events.size());
                assertEquals(H_FUNCTION, r.call(0x7777));
            }
        }
    }

    @Nested
    @DisplayName("Rule 21: H_PUT_TCE rounds ioba down, checks the index, stores the TCE as given and notifies MAP or UNMAP")
    class Rule21PutTce {
        @Test
        void iobaIsRoundedDownAndTheTceStoredAsGivenWithAMapEvent() {
            try (PaprRig r = new PaprRig()) {
                assertEquals(H_SUCCESS, r.call(H_PUT_TCE, PaprRig.LIOBN, 0x10123, 0xabc000L | 0x3));
                assertEquals(0xabc003L, r.table().get(0x10));
                assertEquals(new IommuEvent(IommuEvent.Type.MAP, new IommuTlbEntry(new Iova(0x10000), new GuestAddress(0xabc000L),
                        0xfff, IommuPermission.READ_WRITE)), r.events.get(0));
                assertEquals(H_SUCCESS, r.call(H_PUT_TCE, PaprRig.LIOBN, 0x10000, 0xabc000L)); // no R/W: UNMAP, address kept
                assertEquals(0xabc000L, r.table().get(0x10));
                assertEquals(IommuEvent.Type.UNMAP, r.events.get(1).type());
                assertEquals(H_SUCCESS, r.call(H_PUT_TCE, PaprRig.LIOBN, 0x11000, 0x5000 | 2));
                assertEquals(IommuPermission.WRITE, r.events.get(2).entry().perm());
            }
        }

        @Test
        void anIndexPastTheTableIsHParameterAndNotifiesNothing() {
            try (PaprRig r = new PaprRig()) {
                assertEquals(H_PARAMETER, r.call(H_PUT_TCE, PaprRig.LIOBN, 1L << 30, 3));
                assertEquals(H_PARAMETER, r.call(H_PUT_TCE, PaprRig.LIOBN, -4096L, 3));
                assertEquals(H_SUCCESS, r.call(H_PUT_TCE, PaprRig.LIOBN, (1L << 30) - 1, 0x1000 | 1));
                assertEquals(0x1001, r.table().get((1L << 18) - 1));
                assertEquals(1, r.events.size());
            }
        }
    }

    @Nested
    @DisplayName("Rule 22: H_PUT_TCE_INDIRECT: <= 512 entries, 4 KiB aligned list, big-endian, in order, stops at the first failure")
    class Rule22PutTceIndirect {
        @Test
        void limitsAlignmentAndStopAtTheFirstFailureWithEarlierEntriesKept() {
            try (PaprRig r = new PaprRig()) {
                long list = 0x4000;
                assertEquals(H_PARAMETER, r.call(H_PUT_TCE_INDIRECT, PaprRig.LIOBN, 0, list, 513));
                assertEquals(H_PARAMETER, r.call(H_PUT_TCE_INDIRECT, PaprRig.LIOBN, 0, list + 8, 1));
                r.m.systemMemory().write(new GuestAddress(list), 8, 0x7000L | 1);
                r.m.systemMemory().write(new GuestAddress(list + 8), 8, 0x8000L | 3);
                r.m.systemMemory().write(new GuestAddress(list + 16), 8, 0x9000L | 3);
                long last = (1L << 30) - 0x2000; // two entries fit, the third is past the table
                assertEquals(H_PARAMETER, r.call(H_PUT_TCE_INDIRECT, PaprRig.LIOBN, last, list, 3));
                assertEquals(0x7001, r.table().get((last >>> 12)));
                assertEquals(0x8003, r.table().get((last >>> 12) + 1));
                assertEquals(2, r.events.size());
                assertEquals(H_SUCCESS, r.call(H_PUT_TCE_INDIRECT, PaprRig.LIOBN, 0x20000, list, 3));
                assertEquals(0x9003, r.table().get(0x22));
                assertEquals(0x70, r.m.systemMemory().read(new GuestAddress(list + 6), 1)); // big-endian in memory
            }
        }
    }

    @Nested
    @DisplayName("Rule 23: H_STUFF_TCE accepts any value; entries past the table are H_PARAMETER")
    class Rule23StuffTce {
        @Test
        void anyValueIsStoredAndARangePastTheTableFails() {
            try (PaprRig r = new PaprRig()) {
                assertEquals(H_SUCCESS, r.call(H_STUFF_TCE, PaprRig.LIOBN, 0x3000, 0x6000 | 3, 4));
                for (int i = 3; i < 7; i++) {
                    assertEquals(0x6003, r.table().get(i));
                }
                assertEquals(4, r.events.stream().filter(e -> e.type() == IommuEvent.Type.MAP).count());
                assertEquals(H_PARAMETER, r.call(H_STUFF_TCE, PaprRig.LIOBN, (1L << 30) - 0x1000, 0, 2));
                assertEquals(0, r.table().get((1L << 18) - 1));
                assertEquals(H_PARAMETER, r.call(H_STUFF_TCE, PaprRig.LIOBN, 0, 0, 0));
            }
        }
    }

    @Nested
    @DisplayName("Rule 24: H_GET_TCE rounds ioba down, checks bounds, returns the TCE in r4")
    class Rule24GetTce {
        @Test
        void getReturnsTheStoredTce() {
            try (PaprRig r = new PaprRig()) {
                r.call(H_PUT_TCE, PaprRig.LIOBN, 0x5000, 0xdead000L | 2);
                assertEquals(H_SUCCESS, r.call(H_GET_TCE, PaprRig.LIOBN, 0x5fff));
                assertEquals(0xdead002L, r.rets[0]);
                assertEquals(H_SUCCESS, r.call(H_GET_TCE, PaprRig.LIOBN, 0x6000));
                assertEquals(0, r.rets[0]);
                assertEquals(H_PARAMETER, r.call(H_GET_TCE, PaprRig.LIOBN, 1L << 30));
            }
        }
    }
}
