package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.hw.pci.PciBus;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MSI-X through vfio-pci on KVM: the MSI-X doorbell device given to the guest in slot 5; the
 * emulated vector table, per-vector routes and irqfds, masking that detaches a vector's eventfd
 * from VFIO, and teardown that leaves no route and no fd behind.
 */
class MsixVectorsThroughVfioPci {
    private static final PciAddress HOST = PciAddress.parse("0000:00:05.0");
    private static final int SLOT = 5;
    private static final long BAR0 = 0xc010_0000L;
    /** What the msix guest prints with the doorbell device, wherever the device is served from. */
    static final String MSIX_GUEST_PRINTS = """
                    msix: id 5849534d, 2 vectors, table bar 0 offset 2000, pba bar 0 offset 3000
                    msix: power-on entry 0 control 1, entry 1 control 1
                    msix: entry 0 data 43, entry 1 data 44, control 8001
                    msix: both rung: vector 43 x1, vector 44 x1
                    msix: entry 1 masked: vector 43 x2, vector 44 x1, pba 0
                    msix: entry 1 unmasked: vector 43 x2, vector 44 x2
                    msix: disabled: vector 43 x2, doorbells sent 6, dropped 1
                    msix: PASS
                    """;

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    /** A machine with the doorbell device as its only vfio-pci function. */
    private static final class Rig implements AutoCloseable {
        final HostMemoryRegistry registry = new HostMemoryRegistry();
        final MsixDoorbellDevice doorbell = new MsixDoorbellDevice();
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        final X86ToyMachine machine;
        final VfioPciDevice vfio;

        Rig() {
            HostPciPlatform platform = HostKernel.builder()
                    .memory(registry)
                    .memlock(new LockedMemoryAccount(1L << 30, false))
                    .endpoint(HOST.toString(), doorbell, HostPciPlatform.VFIO_PCI, true)
                    .build();
            machine = X86ToyMachine.create(registry, 64L << 20, console);
            try {
                vfio = machine.addVfioPci(platform, HOST, SLOT);
            } catch (RuntimeException e) {
                machine.close();
                throw e;
            }
        }

        String console() {
            return console.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() {
            machine.close();
        }
    }

    @Test
    @DisplayName("the guest's two vectors arrive, a masked vector does not, and disabling releases every route and fd")
    void guestRingsBothVectorsMasksOneAndDisables() throws Exception {
        var fdsBefore = ProcessFds.snapshot();
        List<String> seen = new ArrayList<>();
        try (Rig r = new Rig()) {
            r.machine.layout().checkpoint().setHandler(n -> seen.add(n + ": enabled " + r.vfio.msixEnabled()
                    + ", attached " + r.vfio.msixVectorAttached(0) + "/" + r.vfio.msixVectorAttached(1)
                    + ", routes " + r.machine.gsiRouter().msiRouteCount()
                    + ", added " + r.vfio.msixRoutesAdded() + ", removed " + r.vfio.msixRoutesRemoved()));
            r.machine.boot(GuestImages.x86("msix"), 0);
            X86ToyMachine.RunResult result = r.machine.run(Duration.ofSeconds(30), null);

            assertEquals(MSIX_GUEST_PRINTS, r.console(), () -> result + " " + seen);
            assertTrue(result.exitedWith(1), result.toString()); // status (0 << 1) | 1: the guest returned 0
            assertEquals(List.of(
                    "1: enabled true, attached true/false, routes 2, added 2, removed 0",
                    "2: enabled false, attached false/false, routes 0, added 2, removed 2"), seen);
            assertEquals(6, r.doorbell.sent());
            assertEquals(1, r.doorbell.dropped());
            // the host function sent six messages; VFIO had no trigger for two (function mask, entry 1 masked)
            assertEquals(6, r.machine.summary().msiMessages());
        }
        assertEquals(java.util.Map.of(), ProcessFds.openedSince(fdsBefore));
    }

    @Test
    @DisplayName("reset turns MSI-X off, masks the table again and releases the routes")
    void resetReleasesVectorsAndRestoresTheTable() {
        var fdsBefore = ProcessFds.snapshot();
        try (Rig r = new Rig()) {
            PciBus bus = r.machine.layout().pciBus();
            int devfn = SLOT << 3;
            bus.configWrite(devfn, PciRegs.BASE_ADDRESS_0, 4, (int) BAR0);
            bus.configWrite(devfn, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
            int cap = bus.configRead(devfn, PciRegs.CAPABILITY_LIST, 1);
            assertEquals(PciRegs.CAP_ID_MSIX, bus.configRead(devfn, cap, 1));
            var mem = r.machine.layout().memory();
            GuestAddress entry0 = new GuestAddress(BAR0 + MsixDoorbellDevice.TABLE_OFFSET);
            mem.write(entry0, 4, 0xfee0_0000L);
            mem.write(new GuestAddress(entry0.value() + 8), 4, 0x43);
            mem.write(new GuestAddress(entry0.value() + 12), 4, 0);
            bus.configWrite(devfn, cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE);
            assertTrue(r.vfio.msixEnabled());
            assertNotNull(r.vfio.msixGsi(0));
            assertNull(r.vfio.msixGsi(1), "entry 1 is still masked with no message");
            assertEquals(1, r.machine.gsiRouter().msiRouteCount());
            assertTrue(r.vfio.msixVectorAttached(0));

            r.vfio.reset();

            assertFalse(r.vfio.msixEnabled());
            assertEquals(0, bus.configRead(devfn, cap + 2, 2) & (PciRegs.MSIX_FLAGS_ENABLE | PciRegs.MSIX_FLAGS_MASKALL));
            assertNull(r.vfio.msixGsi(0));
            assertEquals(0, r.machine.gsiRouter().msiRouteCount());
            assertEquals(1, r.vfio.msixRoutesAdded());
            assertEquals(1, r.vfio.msixRoutesRemoved());
            bus.configWrite(devfn, PciRegs.BASE_ADDRESS_0, 4, (int) BAR0);
            bus.configWrite(devfn, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
            assertEquals(1L, mem.read(new GuestAddress(entry0.value() + 12), 4), "vector control masked again");
            assertEquals(0L, mem.read(new GuestAddress(entry0.value() + 8), 4));
            assertNotEquals(0L, mem.read(new GuestAddress(BAR0), 4));
        }
        assertEquals(java.util.Map.of(), ProcessFds.openedSince(fdsBefore));
    }

    @Test
    @DisplayName("closing the machine with MSI-X enabled releases every route, irqfd and eventfd")
    void closeWhileEnabledLeaksNothing() {
        var fdsBefore = ProcessFds.snapshot();
        try (Rig r = new Rig()) {
            PciBus bus = r.machine.layout().pciBus();
            int devfn = SLOT << 3;
            bus.configWrite(devfn, PciRegs.BASE_ADDRESS_0, 4, (int) BAR0);
            bus.configWrite(devfn, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
            int cap = bus.configRead(devfn, PciRegs.CAPABILITY_LIST, 1);
            var mem = r.machine.layout().memory();
            for (int i = 0; i < 2; i++) {
                long e = BAR0 + MsixDoorbellDevice.TABLE_OFFSET + 16L * i;
                mem.write(new GuestAddress(e), 4, 0xfee0_0000L);
                mem.write(new GuestAddress(e + 8), 4, 0x43 + i);
                mem.write(new GuestAddress(e + 12), 4, 0);
            }
            bus.configWrite(devfn, cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE);
            assertEquals(2, r.machine.gsiRouter().msiRouteCount());
            assertTrue(r.vfio.msixVectorAttached(1));
        }
        assertEquals(java.util.Map.of(), ProcessFds.openedSince(fdsBefore));
    }
}
