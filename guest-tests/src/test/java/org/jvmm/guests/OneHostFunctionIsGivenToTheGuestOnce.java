package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jvmm.host.sys.ProcessFds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A host function given to the guest twice used to be accepted, and the machine's shutdown then
 * failed with VFIO_DEVICE_SET_IRQS EINVAL. The second vfio-pci for one host function is refused
 * when it is added, in QEMU's words (hw/vfio: "device is already attached"), leaving the machine
 * as it was: the first device keeps working and the machine closes cleanly.
 */
class OneHostFunctionIsGivenToTheGuestOnce {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    @DisplayName("a second vfio-pci for 0000:00:03.0 is refused; the guest then runs on the first, and close releases every fd")
    void theSecondDeviceForOneHostFunctionIsRefused() throws InterruptedException {
        var fdsBefore = ProcessFds.snapshot();
        try (EduMachine m = new EduMachine(64L << 20)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.machine.addVfioPci(m.platform, EduMachine.EDU, 5));
            assertEquals("vfio 0000:00:03.0: device is already attached", e.getMessage());
            assertEquals(null, m.machine.layout().pciBus().function(new org.jvmm.hw.pci.PciDevfn(5, 0)),
                    "nothing was plugged in slot 5");
            var r = m.boot("edu-dma");
            assertEquals("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ\nedu-dma: PASS\n", m.console());
            assertEquals(true, r.exitedWith(1), r.toString());
        }
        assertEquals(java.util.Map.of(), ProcessFds.openedSince(fdsBefore), "the machine closed without leaving a file descriptor");
    }
}
