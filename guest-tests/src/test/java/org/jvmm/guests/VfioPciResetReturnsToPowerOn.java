package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.jvmm.address.GuestAddress;
import org.jvmm.hw.pci.PciConfig;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.hw.pci.PciBus;
import org.jvmm.host.sys.ProcessFds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * vfio-pci reset and teardown from the VMM's side: after the guest's view is configured (BAR
 * placed, decode on, MSI enabled), a reset unmaps the BAR, disables MSI (its route and irqfd go)
 * and wires INTx again; closing the machine leaves no file descriptor behind.
 */
class VfioPciResetReturnsToPowerOn {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void resetUnmapsBarsAndTurnsMsiOffAndTeardownReleasesEverything() {
        long fdsBefore = ProcessFds.count();
        try (EduMachine m = new EduMachine(64L << 20)) {
            PciBus bus = m.machine.layout().pciBus();
            int devfn = 3 << 3;
            bus.configWrite(devfn, PciConfig.BASE_ADDRESS_0, 4, 0xc000_0000);
            bus.configWrite(devfn, PciConfig.COMMAND, 2, PciConfig.COMMAND_MEMORY | PciConfig.COMMAND_MASTER);
            int msi = bus.configRead(devfn, PciConfig.CAPABILITY_LIST, 1);
            while (bus.configRead(devfn, msi, 1) != PciConfig.CAP_ID_MSI) {
                msi = bus.configRead(devfn, msi + 1, 1);
            }
            bus.configWrite(devfn, msi + 4, 4, 0xfee0_0000);
            bus.configWrite(devfn, msi + 8, 2, 0x41);
            bus.configWrite(devfn, msi + 2, 2, 1);
            assertEquals(0x010000edL, m.machine.layout().memory().read(new GuestAddress(0xc000_0000L), 4));
            assertNotNull(m.vfioEdu.msiGsi());
            assertEquals(1, m.machine.gsiRouter().msiRouteCount());

            m.vfioEdu.reset();

            assertEquals(0, bus.configRead(devfn, PciConfig.COMMAND, 2));
            assertEquals(0, bus.configRead(devfn, msi + 2, 2) & 1);
            assertEquals(PciFunction.UNMAPPED, m.vfioEdu.barAddress(0));
            assertEquals(0xffff_ffffL, m.machine.layout().memory().read(new GuestAddress(0xc000_0000L), 4));
            assertNull(m.vfioEdu.msiGsi());
            assertEquals(0, m.machine.gsiRouter().msiRouteCount());
            assertEquals(19, bus.configRead(devfn, PciConfig.INTERRUPT_LINE, 1));
        }
        assertEquals(fdsBefore, ProcessFds.count());
    }
}
