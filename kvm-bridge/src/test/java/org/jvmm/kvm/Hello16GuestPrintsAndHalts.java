package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.x86.Regs;
import org.jvmm.kvm.x86.Segment;
import org.jvmm.kvm.x86.Sregs;
import org.junit.jupiter.api.Test;

/** On /dev/kvm: the 16-bit real-mode hello guest prints through port 0x3f8 and halts. */
class Hello16GuestPrintsAndHalts {

    @Test
    void printsHelloThroughCom1ThenHalts() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x10000, false)) {
            rig.writer().write(GuestAddress.of(0x1000), KvmTestSupport.guestImage("hello16.bin"));
            Sregs s = rig.vcpu.sregs();
            s.cs = Segment.realMode(0, 11);
            s.ds = Segment.realMode(0, 3);
            rig.vcpu.setSregs(s);
            Regs r = new Regs();
            r.rip = 0x1000;
            r.rflags = Regs.RFLAGS_RESERVED_ONE;
            rig.vcpu.setRegs(r);

            VcpuExit last = rig.runUntil(e -> e instanceof VcpuExit.Halt, 100);

            assertInstanceOf(VcpuExit.Halt.class, last);
            assertEquals("Hello, 16-bit world!\n", rig.console.toString());
            assertEquals(0, rig.unhandled.size(), () -> "unexpected exits " + rig.unhandled);
            // HLT is one byte at 0x100e; RIP points past it.
            assertEquals(0x100f, rig.vcpu.regs().rip);
        }
    }
}
