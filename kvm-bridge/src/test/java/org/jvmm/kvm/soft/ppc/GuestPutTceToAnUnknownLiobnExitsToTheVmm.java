package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import org.jvmm.kvm.soft.spapr.KvmTceTable;
import org.jvmm.kvm.soft.spapr.SoftSpaprRig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * H_PUT_TCE from guest code to a LIOBN with no KVM TCE table (rule 26: H_TOO_HARD in the kernel)
 * leaves the soft vCPU as a PAPR_HCALL exit carrying r4..r6 as the guest set them; the status the
 * VMM answers is what the guest finds in r3 after its {@code sc 1}, and the guest goes on from the
 * next instruction. A table for another LIOBN in the same VM does not change that.
 */
class GuestPutTceToAnUnknownLiobnExitsToTheVmm {
    private static final long UNKNOWN_LIOBN = 0x8000_0010L;

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    void everyCallExitsAndTheVmmStatusReachesTheGuest(boolean le) {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable other = rig.kvmTable(); SoftPpcMachine m = new SoftPpcMachine(rig, le)) {
            TceLoopGuest.load(m);
            int[] n = {0};
            // The VMM answers H_SUCCESS, H_PARAMETER, H_SUCCESS, ... in turn.
            TceLoopGuest.Batch b = TceLoopGuest.run(m, UNKNOWN_LIOBN, 0x10000, 0x1000, 0x300000 | 2, 0x1000, 4, 10,
                    h -> n[0]++ % 2 == 0 ? H_SUCCESS : H_PARAMETER);
            assertEquals(10, b.exits().size(), "every H_PUT_TCE left the bridge");
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(new long[] {UNKNOWN_LIOBN, 0x10000 + 0x1000L * i, (0x300000 + 0x1000L * (i % 4)) | 2},
                        b.exits().get(i), "liobn, ioba, tce of call " + i);
            }
            assertEquals(5, b.ok(), "calls the VMM answered H_SUCCESS, as the guest counted them from r3");
            assertEquals(5 * H_PARAMETER, b.statusSum());
            assertEquals(H_PARAMETER, b.lastStatus());
            assertEquals(1, b.batches());
            assertEquals(11, m.vcpu.hcallExits(), "ten calls and the batch report");
            assertEquals(0, m.soft.fastPathHypercalls());
            assertEquals(0, other.get(0x10), "the other LIOBN's table is untouched");

            TceLoopGuest.Batch again = TceLoopGuest.run(m, UNKNOWN_LIOBN, 0, 0x1000, 0, 0, 1, 1, h -> H_SUCCESS);
            assertEquals(2, again.batches(), "the guest resumed after each answer and ran its next batch");
            assertEquals(1, again.ok());
        }
    }
}
