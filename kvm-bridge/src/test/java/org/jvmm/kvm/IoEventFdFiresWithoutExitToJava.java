package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.sys.EventFd;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: a guest write that matches an ioeventfd signals the eventfd in the kernel and
 * never reaches the VMM as an exit; after deassignment the same write exits again.
 */
class IoEventFdFiresWithoutExitToJava {

    @Test
    void pioAndMmioDoorbellsSignalTheirEventfdsAndDoNotExit() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, false);
                EventFd pio = EventFd.create();
                EventFd mmio = EventFd.create()) {
            try (IoEventFd pioDoorbell = rig.vm.ioeventfd(pio, new IoEventAddress.Pio(0x600), 4, OptionalLong.of(0xbeef));
                    IoEventFd mmioDoorbell = rig.vm.ioeventfd(mmio,
                            new IoEventAddress.Mmio(GuestAddress.of(0xd000_1000L)), 4, OptionalLong.empty())) {
                rig.boot64(GuestRig.DOORBELL);

                rig.runUntil(GuestRig::isExitPort, 1000);

                assertEquals("doorbells rung\n", rig.console.toString());
                assertEquals(0, rig.exitStatus);
                assertEquals(1, pio.readCount(), "PIO doorbell signalled once");
                assertEquals(1, mmio.readCount(), "MMIO doorbell signalled once");
                assertEquals(0, rig.unhandled.size(), () -> "no exit reached Java for the doorbells: " + rig.unhandled);
            }
        }
    }

    @Test
    void withoutIoeventfdTheSameWritesExitToJava() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, false)) {
            rig.boot64(GuestRig.DOORBELL);

            rig.runUntil(GuestRig::isExitPort, 1000);

            assertEquals(2, rig.unhandled.size(), () -> "exits " + rig.unhandled);
            VcpuExit.Io io = (VcpuExit.Io) rig.unhandled.get(0);
            assertEquals(0x600, io.port());
            assertEquals(0xbeef, io.value());
            VcpuExit.Mmio m = (VcpuExit.Mmio) rig.unhandled.get(1);
            assertEquals(GuestAddress.of(0xd000_1000L), m.address());
            assertEquals(0xcafe, m.value());
            assertTrue(m.isWrite());
        }
    }
}
