package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.kvm.x86.Regs;
import org.jvmm.kvm.x86.Segment;
import org.jvmm.kvm.x86.Sregs;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: executing from guest-physical memory no memslot backs is something KVM cannot
 * emulate; it ends in KVM_EXIT_INTERNAL_ERROR (suberror 1, emulation failure), returned as an
 * exit the VMM can report, not an exception.
 */
class GuestFaultsAreExitsNotExceptions {

    @Test
    void fetchingFromUnbackedMemoryIsAnEmulationInternalError() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x10000, false)) {
            Sregs s = rig.vcpu.sregs();
            s.cs = Segment.realMode(0x2000, 11); // base 0x20000: beyond the 64 KiB of RAM
            rig.vcpu.setSregs(s);
            Regs r = new Regs();
            r.rip = 0;
            r.rflags = Regs.RFLAGS_RESERVED_ONE;
            rig.vcpu.setRegs(r);

            VcpuExit exit = rig.runUntil(e -> true, 1);

            VcpuExit.InternalError error = assertInstanceOf(VcpuExit.InternalError.class, exit, () -> "got " + exit);
            assertEquals(VcpuExit.InternalError.EMULATION, error.suberror());
            assertTrue(error.data().size() <= 16);
        }
    }
}
