package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalLong;
import org.jvmm.host.sys.EventFd;
import org.jvmm.host.sys.ProcessFds;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: the open file descriptors of the process are the same before creating a VM (with
 * RAM, irqchip, a vCPU that ran a guest, an irqfd, an ioeventfd and the KVM-VFIO device) and after
 * closing it all.
 */
class NothingLeaksAfterVmClose {

    private static void fullCycle() {
        try (GuestRig rig = new GuestRig(0x200000, true);
                EventFd irq = EventFd.create();
                EventFd doorbell = EventFd.create()) {
            rig.vm.setGsiRouting(List.of(new GsiRoute.Msi(Gsi.of(24), MsiMessage.x86(0, 0x40))));
            try (IrqFd irqfd = rig.vm.irqfd(irq, Gsi.of(24));
                    IoEventFd io = rig.vm.ioeventfd(doorbell, new IoEventAddress.Pio(0x600), 4, OptionalLong.empty());
                    KvmVfioDevice vfio = rig.vm.createVfioDevice()) {
                rig.boot64(GuestRig.HELLO);
                rig.runUntil(GuestRig::isExitPort, 1000);
                assertEquals("Hello from 64-bit C!\n", rig.console.toString());
            }
        }
    }

    @Test
    void openFdCountIsTheSameBeforeAndAfter() {
        KvmTestSupport.assumeKvm();
        fullCycle(); // first use loads classes and opens the JVM's own lazily opened files
        long before = ProcessFds.count();

        fullCycle();

        assertEquals(before, ProcessFds.count());
    }

    @Test
    void fdCountGrowsWhileTheVmIsOpenSoTheCheckCanFail() {
        KvmTestSupport.assumeKvm();
        fullCycle();
        long before = ProcessFds.count();
        try (GuestRig rig = new GuestRig(0x1000, false)) {
            // /dev/kvm, VM, vCPU and the RAM memfd
            assertEquals(before + 4, ProcessFds.count());
        }
        assertEquals(before, ProcessFds.count());
    }
}
