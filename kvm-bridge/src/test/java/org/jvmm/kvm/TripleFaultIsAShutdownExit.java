package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: a 64-bit guest that triple-faults (ud2 with an empty IDT) ends in
 * KVM_EXIT_SHUTDOWN, returned as {@link VcpuExit.Shutdown}: what the guest does wrong is an
 * exit, not an exception.
 */
class TripleFaultIsAShutdownExit {

    @Test
    void ud2WithAnEmptyIdtShutsDown() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, false)) {
            rig.boot64(GuestRig.TRIPLE_FAULT);

            VcpuExit exit = rig.runUntil(e -> !(e instanceof VcpuExit.Io), 1000);

            assertEquals("faulting\n", rig.console.toString());
            assertInstanceOf(VcpuExit.Shutdown.class, exit);
        }
    }
}
