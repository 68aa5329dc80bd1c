package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.devices.mtty.MttyDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Guest (f): mtty given with -device vfio-pci,sysfsdev=: the guest writes through
 * port 0 and reads the sample's loopback, one INTx per byte. mtty takes no unmask eventfd
 * (ENOTTY), so each EOI reaches VFIO through the VMM's unmask relay.
 */
@DisplayName("guest f: mtty through sysfsdev=, the loopback read back with one INTx per byte")
class MttyLoopbackWithIntxThroughSysfsdev {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void loopbackWithInterrupts() throws Exception {
        try (MdevMachine m = new MdevMachine("mtty-2")) {
            var r = m.boot("mtty", 0, null);
            assertEquals("""
                    mtty: BAR0 mask 0xfffffff9, iir 0xc1, lsr 0x60
                    mtty: wrote 'jvmm-mtty', read back 'jvmm-mtty' with 9 interrupts
                    mtty: PASS
                    """, m.console());
            assertTrue(r.exitedWith(1), r.toString());
            MttyDevice dev = (MttyDevice) m.mdev.vendorDevice();
            assertEquals(9, dev.interrupts());
            assertEquals(2, dev.nrPorts());
            assertEquals(1, m.mdev.openCount());
            assertSame(m.machine.vm(), m.mdev.kvm(), "A-18: the group joined the VM before the device was opened");
        }
    }
}
