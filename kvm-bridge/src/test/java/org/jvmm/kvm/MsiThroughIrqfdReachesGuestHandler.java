package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jvmm.host.sys.EventFd;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm with the in-kernel irqchip: an eventfd wired by irqfd to a GSI routed as an MSI
 * (vector 0x40 to APIC 0) interrupts the guest, whose handler (IDT gate, LAPIC EOI) prints the
 * vector. The vCPU runs on its own thread; the test thread only signals the eventfd.
 */
class MsiThroughIrqfdReachesGuestHandler {

    @Test
    void signalledEventfdDeliversVector0x40ToTheGuestHandler() throws Exception {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, true); EventFd msi = EventFd.create()) {
            Gsi gsi = Gsi.of(24);
            rig.vm.setGsiRouting(List.of(new GsiRoute.Msi(gsi, MsiMessage.x86(0, 0x40))));
            try (IrqFd irqfd = rig.vm.irqfd(msi, gsi)) {
                rig.boot64(GuestRig.MSI);
                CountDownLatch ready = new CountDownLatch(1);
                StringBuffer console = new StringBuffer();
                AtomicReference<Object> outcome = new AtomicReference<>();
                Thread vcpuThread = new Thread(() -> {
                    try {
                        while (true) {
                            VcpuExit exit = rig.vcpu.run();
                            if (exit instanceof VcpuExit.Io io && io.port() == GuestRig.COM1) {
                                console.append((char) io.value());
                                if (console.toString().endsWith("ready\n")) {
                                    ready.countDown();
                                }
                            } else {
                                outcome.set(exit instanceof VcpuExit.Io io ? io.detach() : exit);
                                return;
                            }
                        }
                    } catch (RuntimeException e) {
                        outcome.set(e);
                    }
                }, "vcpu-0");
                vcpuThread.start();

                assertTrue(ready.await(10, TimeUnit.SECONDS), () -> "guest never got ready: " + console);
                msi.signal();
                vcpuThread.join(10_000);
                if (vcpuThread.isAlive()) {
                    rig.vcpu.kick();
                    vcpuThread.join(10_000);
                }

                assertEquals("ready\nirq vector 0x40\ndone\n", console.toString());
                VcpuExit.Io last = (VcpuExit.Io) outcome.get();
                assertEquals(GuestRig.EXIT_PORT, last.port());
                assertEquals(0, last.value());
            }
        }
    }

    @Test
    void signalMsiInjectsTheSameVectorWithoutAnEventfd() throws Exception {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, true)) {
            rig.boot64(GuestRig.MSI);
            rig.runUntil(e -> rig.console.toString().endsWith("ready\n"), 1000);
            int delivered = rig.vm.signalMsi(MsiMessage.x86(0, 0x40));
            rig.runUntil(GuestRig::isExitPort, 1000);

            assertEquals(1, delivered);
            assertEquals("ready\nirq vector 0x40\ndone\n", rig.console.toString());
            assertEquals(0, rig.exitStatus);
        }
    }
}
