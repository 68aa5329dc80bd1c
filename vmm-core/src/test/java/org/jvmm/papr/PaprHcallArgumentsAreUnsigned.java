package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.*;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Hypercall arguments are unsigned 64-bit values (QEMU's target_ulong): an IOBA or an RTAS buffer
 * at 0x8000000000000000 or near 2^64 is H_PARAMETER and changes nothing; an H_STUFF_TCE count with
 * the top bit set is a huge count, not a negative one: larger than the table, so H_PARAMETER before
 * anything is written (QEMU 7.2 h_stuff_tce compares npages with nb_table first); a count that
 * fits but runs past the table's end stuffs to the end, then answers H_PARAMETER (rule 23).
 */
@DisplayName("PAPR hcalls: IOBAs, counts and the RTAS buffer are unsigned; top-bit and near-2^64 values are H_PARAMETER")
class PaprHcallArgumentsAreUnsigned {
    private static final long[] TOP = {0x8000_0000_0000_0000L, 0xffff_ffff_ffff_f000L, 0xffff_ffff_ffff_ffffL};

    @Test
    void tceCallsAtTopBitAndNear2To64IobasAreHParameterAndNotifyNothing() {
        try (PaprRig r = new PaprRig()) {
            for (long ioba : TOP) {
                assertEquals(H_PARAMETER, r.call(H_PUT_TCE, PaprRig.LIOBN, ioba, 0x1000 | 3));
                assertEquals(H_PARAMETER, r.call(H_GET_TCE, PaprRig.LIOBN, ioba));
                assertEquals(H_PARAMETER, r.call(H_STUFF_TCE, PaprRig.LIOBN, ioba, 0x1000 | 3, 1));
                assertEquals(H_PARAMETER, r.call(H_PUT_TCE_INDIRECT, PaprRig.LIOBN, ioba, 0x2000, 1));
            }
            assertEquals(0, r.events.size());
        }
    }

    @Test
    void aStuffCountWithTheTopBitSetIsLargerThanTheTableAndWritesNothing() {
        try (PaprRig r = new PaprRig()) {
            long lastEntry = (1L << 18) - 1;
            long ioba = (lastEntry - 1) << 12;
            assertEquals(H_PARAMETER, r.call(H_STUFF_TCE, PaprRig.LIOBN, ioba, 0x7000 | 1, 0x8000_0000_0000_0001L));
            assertEquals(H_PARAMETER, r.call(H_STUFF_TCE, PaprRig.LIOBN, 0, 0x7000 | 1, lastEntry + 2));
            assertEquals(0, r.table().get(lastEntry - 1));
            assertEquals(0, r.table().get(lastEntry));
            assertEquals(0, r.table().get(0));
            assertEquals(0, r.events.size());
        }
    }

    @Test
    void aStuffCountThatFitsButRunsPastTheEndStuffsToTheEndThenFails() {
        try (PaprRig r = new PaprRig()) {
            long lastEntry = (1L << 18) - 1;
            long ioba = (lastEntry - 1) << 12;
            assertEquals(H_PARAMETER, r.call(H_STUFF_TCE, PaprRig.LIOBN, ioba, 0x7000 | 1, 3));
            assertEquals(0x7001, r.table().get(lastEntry - 1));
            assertEquals(0x7001, r.table().get(lastEntry));
            assertEquals(0, r.table().get(lastEntry - 2));
            assertEquals(2, r.events.size());
        }
    }

    @Test
    void anRtasBufferAtTopBitOrNear2To64IsHParameterAndWritesNothingAtAddressZero() {
        try (PaprRig r = new PaprRig()) {
            for (long buffer : new long[] {0x8000_0000_0000_0000L, 0xffff_ffff_ffff_fff8L, 0xffff_ffff_ffff_fffcL}) {
                assertEquals(H_PARAMETER, r.call(KVMPPC_H_RTAS, buffer));
            }
            assertEquals(0, r.cell(0));
            assertEquals(0, r.cell(4));
        }
    }

    @Test
    void anRtasCallWithAHugeNargsPutsItsReturnCellsAboveTheArgumentsNotBelow() {
        try (PaprRig r = new PaprRig()) {
            long buf = 0x10_0000;
            // an unknown token with nargs 0xffffffff and nret 1: the one return cell is at
            // buf + 12 + 4 * 0xffffffff (unassigned here), never at buf + 8 (nargs read as -1)
            r.cells(buf, 0x1234, 0xffff_ffffL, 1);
            assertEquals(H_PARAMETER, r.call(KVMPPC_H_RTAS, buf));
            assertEquals(1, r.cell(buf + 8));
        }
    }
}
