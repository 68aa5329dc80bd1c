package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.*;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jvmm.kvm.KvmVfioDevice;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 29 (Linux arch/powerpc/kvm/book3s_64_vio.c): INDIRECT validates every entry first, then
 * applies them. STUFF rejects a value with R or W set (H_PARAMETER). GET returns 0 for a never-
 * written entry.
 */
@DisplayName("Rule 29: INDIRECT validates every entry then applies them; STUFF refuses R/W; GET returns 0 for a never-written entry")
class SoftRule29IndirectStuffGet {
    private static final long L = SoftSpaprRig.LIOBN;
    private static final ValueLayout.OfLong BE = ValueLayout.JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN);

    private static void list(SoftSpaprRig rig, long at, long... tces) {
        for (int i = 0; i < tces.length; i++) {
            rig.ram.segment().set(BE, at + i * 8L, tces[i]);
        }
    }

    @Test
    void indirectAppliesBigEndianEntriesInOrderToBothTables() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice()) {
            d.setSpaprTce(rig.groupFd, t.fd());
            long[] tces = new long[512];
            for (int i = 0; i < tces.length; i++) {
                tces[i] = (0x100000L + i * 0x1000L) | (i % 3 + 1);
            }
            list(rig, 0x3000, tces);
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE_INDIRECT, L, 0x400000, 0x3000, 512)[0]);
            long base = rig.ram.address().value();
            for (int i = 0; i < 512; i++) {
                assertEquals(tces[i], t.get(0x400 + i));
                assertEquals((base + 0x100000L + i * 0x1000L) | (i % 3 + 1), rig.hw32().get(0x400 + i));
            }
        }
    }

    @Test
    void indirectRejectsTooManyEntriesAnUnalignedListAndWritesNothingWhenAnyEntryIsBad() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable()) {
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_PUT_TCE_INDIRECT, L, 0, 0x3000, 513)[0]);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_PUT_TCE_INDIRECT, L, 0, 0x3008, 1)[0]);
            list(rig, 0x3000, 0x10000 | 3, 0x11000 | 3, 0x12800 | 3); // the last is misaligned
            Hcalls.exits(rig, H_PUT_TCE_INDIRECT, L, 0, 0x3000, 3).respond(H_PARAMETER);
            rig.vcpu.run();
            assertEquals(0, t.get(0));
            assertEquals(0, t.get(1));
        }
    }

    @Test
    void stuffRefusesPermissionBitsAndClearsARange() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice()) {
            d.setSpaprTce(rig.groupFd, t.fd());
            list(rig, 0x3000, 0x10000 | 3, 0x11000 | 3, 0x12000 | 3, 0x13000 | 3);
            Hcalls.inBridge(rig, H_PUT_TCE_INDIRECT, L, 0x8000, 0x3000, 4);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_STUFF_TCE, L, 0x8000, 1, 4)[0]);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_STUFF_TCE, L, 0x8000, 2, 4)[0]);
            assertEquals((rig.ram.address().value() + 0x10000) | 3, rig.hw32().get(8));
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_STUFF_TCE, L, 0x9000, 0xdead0000L, 2)[0]);
            assertEquals(0x10003, t.get(8));
            assertEquals(0xdead0000L, t.get(9));
            assertEquals(0xdead0000L, t.get(10));
            assertEquals(0x13003, t.get(11));
            assertEquals(0, rig.hw32().get(9));
            assertEquals(0, rig.hw32().get(10));
            assertEquals((rig.ram.address().value() + 0x13000) | 3, rig.hw32().get(11));
        }
    }

    @Test
    void getReturnsZeroForANeverWrittenEntryAndTheTceOtherwise() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable()) {
            long[] r = Hcalls.inBridge(rig, H_GET_TCE, L, 0x3ffff000L);
            assertEquals(H_SUCCESS, r[0]);
            assertEquals(0, r[1]);
            Hcalls.inBridge(rig, H_PUT_TCE, L, 0x3ffff000L, 0x5000 | 2);
            r = Hcalls.inBridge(rig, H_GET_TCE, L, 0x3ffff000L);
            assertEquals(0x5002, r[1]);
        }
    }
}
