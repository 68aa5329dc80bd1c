package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.kvm.x86.Sregs;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: the 64-bit guest built from C (guest64.elf), loaded by the ELF loader and started
 * in long mode by the boot helper, prints through port 0x3f8 and halts.
 */
class Guest64CPrintsAndHalts {

    @Test
    void printsGreetingReportsSuccessAndHalts() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, false)) {
            rig.boot64(GuestRig.HELLO);

            rig.runUntil(GuestRig::isExitPort, 1000);
            VcpuExit last = rig.runUntil(e -> true, 1);

            assertEquals("Hello from 64-bit C!\n", rig.console.toString());
            assertEquals(0, rig.exitStatus);
            assertInstanceOf(VcpuExit.Halt.class, last);
        }
    }

    @Test
    void vcpuIsInLongModeWithTheHelpersTables() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, false)) {
            rig.boot64(GuestRig.HELLO);
            rig.runUntil(GuestRig::isExitPort, 1000);

            Sregs s = rig.vcpu.sregs();
            assertEquals(Sregs.EFER_LME | Sregs.EFER_LMA, s.efer & (Sregs.EFER_LME | Sregs.EFER_LMA));
            assertTrue((s.cr0 & Sregs.CR0_PG) != 0 && (s.cr0 & Sregs.CR0_PE) != 0, () -> "cr0=" + Long.toHexString(s.cr0));
            assertEquals(0x9000, s.cr3);
            assertTrue(s.cs.l(), "CS.L set: 64-bit code");
            assertEquals(0x08, s.cs.selector());
        }
    }
}
