package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.Iova;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.soft.spapr.KvmTceTable;
import org.jvmm.kvm.soft.spapr.SoftSpaprRig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * H_PUT_TCE issued by guest code ({@code sc 1} in tce.c) on the PPC CPU to a LIOBN whose KVM TCE
 * table is linked to the VFIO group: the soft VM's in-bridge path takes every call, with no exit;
 * the guest view and the hardware table are updated and the device's DMA goes through them. A
 * status the bridge decides (H_PARAMETER for an ioba past the window) reaches the guest in r3
 * with no exit either; a TCE the bridge cannot do (an address outside guest memory: H_TOO_HARD,
 * rule 28) leaves as a PAPR_HCALL exit and the VMM's status reaches the guest.
 */
class GuestPutTceToALinkedLiobnIsHandledInTheBridge {
    private static final long RAM_PAGE = 0x200000;

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    void everyCallIsHandledWithNoExitAndUpdatesBothTables(boolean le) {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice();
                SoftPpcMachine m = new SoftPpcMachine(rig, le)) {
            d.setSpaprTce(rig.groupFd, t.fd());
            TceLoopGuest.load(m);
            TceLoopGuest.Batch b = TceLoopGuest.run(m, SoftSpaprRig.LIOBN, 0x40000, 0x1000, RAM_PAGE | 3, 0x1000, 16, 64,
                    TceLoopGuest::noExitExpected);
            assertEquals(64, b.ok(), "calls that returned H_SUCCESS");
            assertEquals(H_SUCCESS, b.lastStatus());
            assertEquals(0, b.statusSum());
            assertEquals(1, b.batches());
            assertEquals(0, b.exits().size());
            assertEquals(1, m.vcpu.hcallExits(), "only the batch report left the bridge");
            assertEquals(64, m.soft.fastPathHypercalls());
            for (int i = 0; i < 64; i++) {
                long entry = 0x40 + i;
                assertEquals((RAM_PAGE + 0x1000L * (i % 16)) | 3, t.get(entry), "guest view of entry " + entry);
                assertEquals(3, rig.hw32().get(entry) & 3, "hardware entry " + entry + " maps read/write");
            }
            byte[] pattern = new byte[128];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 7 + 1);
            }
            // Entry 0x45 maps guest page RAM_PAGE + 5 pages: the device reads what the guest RAM holds there.
            MemorySegment.copy(MemorySegment.ofArray(pattern), 0, m.ram, RAM_PAGE + 0x5000, pattern.length);
            byte[] got = new byte[pattern.length];
            assertNull(rig.iommu().transfer(Iova.of(0x45000), MemorySegment.ofArray(got), false));
            assertArrayEquals(pattern, got);
        }
    }

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    void anIobaPastTheWindowIsHParameterInTheGuestWithNoExit(boolean le) {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice();
                SoftPpcMachine m = new SoftPpcMachine(rig, le)) {
            d.setSpaprTce(rig.groupFd, t.fd());
            TceLoopGuest.load(m);
            // Entries 0x3fffe and 0x3ffff are the window's last two; the third call is one past its end.
            TceLoopGuest.Batch b = TceLoopGuest.run(m, SoftSpaprRig.LIOBN, (1L << 30) - 0x2000, 0x1000, RAM_PAGE | 1, 0, 1, 3,
                    TceLoopGuest::noExitExpected);
            assertEquals(2, b.ok());
            assertEquals(H_PARAMETER, b.lastStatus());
            assertEquals(H_PARAMETER, b.statusSum());
            assertEquals(1, m.vcpu.hcallExits());
            assertEquals(RAM_PAGE | 1, t.get(0x3ffff));
        }
    }

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    void aTceOutsideGuestMemoryIsTooHardAndTheVmmAnswers(boolean le) {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice();
                SoftPpcMachine m = new SoftPpcMachine(rig, le)) {
            d.setSpaprTce(rig.groupFd, t.fd());
            TceLoopGuest.load(m);
            long outside = SoftSpaprRig.RAM_SIZE + 0x10000;
            TceLoopGuest.Batch b = TceLoopGuest.run(m, SoftSpaprRig.LIOBN, 0x8000, 0x1000, outside | 3, 0, 1, 2,
                    h -> H_PARAMETER);
            assertEquals(2, b.exits().size(), "both calls went to the VMM");
            assertArrayEquals(new long[] {SoftSpaprRig.LIOBN, 0x8000, outside | 3}, b.exits().get(0));
            assertArrayEquals(new long[] {SoftSpaprRig.LIOBN, 0x9000, outside | 3}, b.exits().get(1));
            assertEquals(0, b.ok());
            assertEquals(2 * H_PARAMETER, b.statusSum(), "the VMM's status reached the guest in r3");
            assertEquals(0, t.get(8), "the bridge wrote nothing");
            assertEquals(0, m.soft.fastPathHypercalls());
        }
    }
}
