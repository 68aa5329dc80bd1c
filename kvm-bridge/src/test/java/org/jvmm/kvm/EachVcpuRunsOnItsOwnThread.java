package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.linux.LinuxVcpu;
import org.jvmm.kvm.x86.Regs;
import org.jvmm.kvm.x86.Segment;
import org.jvmm.kvm.x86.Sregs;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: two vCPUs of one VM run the same 16-bit hello at the same time, each on its own
 * platform thread, each seeing only its own exits.
 */
class EachVcpuRunsOnItsOwnThread {

    private static Callable<String> hello(LinuxVcpu vcpu) {
        return () -> {
            Sregs s = vcpu.sregs();
            s.cs = Segment.realMode(0, 11);
            s.ds = Segment.realMode(0, 3);
            vcpu.setSregs(s);
            Regs r = new Regs();
            r.rip = 0x1000;
            r.rflags = Regs.RFLAGS_RESERVED_ONE;
            vcpu.setRegs(r);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                VcpuExit e = vcpu.run();
                if (e instanceof VcpuExit.Io io && io.port() == GuestRig.COM1) {
                    out.append((char) io.value());
                } else {
                    out.append('|').append(e.getClass().getSimpleName());
                    break;
                }
            }
            return out + " tid=" + vcpu.threadId();
        };
    }

    @Test
    void twoVcpusTwoThreadsTwoConsoles() throws Exception {
        KvmTestSupport.assumeKvm();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (GuestRig rig = new GuestRig(0x10000, false); LinuxVcpu second = rig.vm.createVcpu(1)) {
            rig.writer().write(GuestAddress.of(0x1000), KvmTestSupport.guestImage("hello16.bin"));
            Future<String> a = threads.submit(hello(rig.vcpu));
            Future<String> b = threads.submit(hello(second));
            String outA = a.get(20, TimeUnit.SECONDS);
            String outB = b.get(20, TimeUnit.SECONDS);

            assertEquals("Hello, 16-bit world!\n|Halt", outA.substring(0, outA.indexOf(" tid=")));
            assertEquals("Hello, 16-bit world!\n|Halt", outB.substring(0, outB.indexOf(" tid=")));
            assertNotEquals(rig.vcpu.threadId(), second.threadId());
        } finally {
            threads.shutdownNow();
        }
    }
}
