package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: an access to guest-physical memory no memslot backs exits as MMIO; the VMM's
 * answer to a read reaches the guest, and a write carries the guest's data.
 */
class MmioExitRoundTripCarriesData {

    @Test
    void readIsAnsweredAndWriteCarriesTheAnswerPlusOne() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, false)) {
            rig.boot64(GuestRig.MMIO);

            VcpuExit.Mmio read = (VcpuExit.Mmio) rig.runUntil(e -> e instanceof VcpuExit.Mmio, 1000);
            assertEquals(GuestAddress.of(0xd000_0000L), read.address());
            assertEquals(4, read.length());
            assertFalse(read.isWrite());
            read.respond(0x1234_5678L);

            VcpuExit.Mmio write = (VcpuExit.Mmio) rig.runUntil(e -> e instanceof VcpuExit.Mmio, 1000);
            assertEquals(GuestAddress.of(0xd000_0004L), write.address());
            assertEquals(4, write.length());
            assertTrue(write.isWrite());
            assertEquals(0x1234_5679L, write.value());

            rig.runUntil(GuestRig::isExitPort, 1000);
            assertEquals("mmio read 0x12345678\n", rig.console.toString());
            assertEquals(0, rig.exitStatus);
        }
    }
}
