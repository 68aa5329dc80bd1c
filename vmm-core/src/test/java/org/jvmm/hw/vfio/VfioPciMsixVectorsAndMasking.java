package org.jvmm.hw.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.devices.msixdoorbell.MsixDoorbellDevice.PBA_OFFSET;
import static org.jvmm.devices.msixdoorbell.MsixDoorbellDevice.REG_DOORBELL;
import static org.jvmm.devices.msixdoorbell.MsixDoorbellDevice.TABLE_OFFSET;

import java.util.List;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.GsiRoute;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.memory.AddressSpace;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * vfio-pci's MSI-X without /dev/kvm: the doorbell device through the modelled VFIO, with the soft
 * accelerator's VM keeping the GSI routes and irqfds (pollIrqFds shows which GSIs fired). The
 * KVM end-to-end run with a guest is guest-tests' MsixVectorsThroughVfioPci.
 */
@DisplayName("vfio-pci MSI-X: guest-writable control, emulated table, a route per unmasked vector, masking detaches from VFIO")
class VfioPciMsixVectorsAndMasking {
    private static final PciAddress HOST = PciAddress.parse("0000:00:05.0");
    private static final long ENTRY1 = TABLE_OFFSET + 16;

    private java.util.Map<Integer, String> fdsBefore;
    private SoftVfioPciRig rig;
    private SoftVm vm;
    private GsiRouter router;
    private MsixDoorbellDevice doorbell;
    private VfioPciDevice dev;
    private AddressSpace bar;
    private int cap;

    @BeforeEach
    void realize() {
        fdsBefore = ProcessFds.snapshot();
        doorbell = new MsixDoorbellDevice();
        rig = new SoftVfioPciRig("msix", HOST, doorbell);
        vm = rig.vm;
        router = rig.router;
        dev = rig.dev;
        bar = rig.bar;
        cap = dev.configRead(PciRegs.CAPABILITY_LIST, 1);
        assertEquals(PciRegs.CAP_ID_MSIX, dev.configRead(cap, 1));
    }

    @AfterEach
    void close() {
        rig.close();
        assertEquals(java.util.Map.of(), ProcessFds.openedSince(fdsBefore), "fds left open");
    }

    private long read(long offset) {
        return bar.read(new GuestAddress(offset), 4);
    }

    private void write(long offset, long value) {
        bar.write(new GuestAddress(offset), 4, value);
    }

    private void program(long entry, int data) {
        write(entry, 0xfee0_0000L);
        write(entry + 4, 0);
        write(entry + 8, data);
        write(entry + 12, 0);
    }

    private MsiMessage routed(Gsi gsi) {
        for (GsiRoute r : vm.gsiRoutes()) {
            if (r instanceof GsiRoute.Msi m && m.gsi().equals(gsi)) {
                return m.message();
            }
        }
        return null;
    }

    @Test
    void onlyEnableAndFunctionMaskAreWritableAndTheTableStartsMasked() {
        dev.configWrite(cap + 2, 2, 0xffff);
        assertEquals(0xc001, dev.configRead(cap + 2, 2)); // table size 2 (N-1 = 1) is read-only
        dev.configWrite(cap + 2, 2, 0);
        assertEquals(0x0001, dev.configRead(cap + 2, 2));
        for (long e = TABLE_OFFSET; e < TABLE_OFFSET + 32; e += 16) {
            assertEquals(0, read(e));
            assertEquals(0, read(e + 8));
            assertEquals(1, read(e + 12));
        }
        write(TABLE_OFFSET, 0xfee0_0003L);
        write(TABLE_OFFSET + 12, 0xffff_fffeL);
        assertEquals(0xfee0_0000L, read(TABLE_OFFSET), "message address is dword aligned");
        assertEquals(0, read(TABLE_OFFSET + 12), "only the mask bit of vector control is writable");
        write(PBA_OFFSET, 0xffff_ffffL);
        assertEquals(0, read(PBA_OFFSET));
        assertEquals(0, dev.msixRoutesAdded(), "no vector was ever unmasked while enabled");
    }

    @Test
    void enablingRoutesEachUnmaskedVectorAndDoorbellsFireTheirGsis() {
        program(TABLE_OFFSET, 0x43);
        program(ENTRY1, 0x44);
        dev.configWrite(cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE);
        assertTrue(dev.msixEnabled());
        Gsi g0 = dev.msixGsi(0);
        Gsi g1 = dev.msixGsi(1);
        assertNotNull(g0);
        assertNotNull(g1);
        assertEquals(new MsiMessage(0xfee0_0000L, 0x43), routed(g0));
        assertEquals(new MsiMessage(0xfee0_0000L, 0x44), routed(g1));
        assertEquals(2, router.msiRouteCount());
        write(REG_DOORBELL, 1);
        assertEquals(List.of(g1), vm.pollIrqFds());
        write(REG_DOORBELL, 0);
        assertEquals(List.of(g0), vm.pollIrqFds());

        write(TABLE_OFFSET + 8, 0x45); // reprogrammed while enabled: the route follows
        assertEquals(new MsiMessage(0xfee0_0000L, 0x45), routed(g0));
        assertEquals(g0, dev.msixGsi(0));

        dev.configWrite(cap + 2, 2, 0);
        assertFalse(dev.msixEnabled());
        assertNull(dev.msixGsi(0));
        assertEquals(0, router.msiRouteCount());
        assertEquals(2, dev.msixRoutesAdded());
        assertEquals(2, dev.msixRoutesRemoved());
        write(REG_DOORBELL, 0);
        assertEquals(List.of(), vm.pollIrqFds());
        assertEquals(1, doorbell.dropped(), "MSI-X is off on the host function again");
    }

    @Test
    void maskingAVectorDetachesItFromVfioAndUnmaskingReattachesIt() {
        program(TABLE_OFFSET, 0x43);
        program(ENTRY1, 0x44);
        dev.configWrite(cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE);
        Gsi g1 = dev.msixGsi(1);

        write(ENTRY1 + 12, 1);
        assertFalse(dev.msixVectorAttached(1));
        assertTrue(dev.msixVectorAttached(0));
        assertEquals(g1, dev.msixGsi(1), "the route stays while masked");
        write(REG_DOORBELL, 1);
        assertEquals(List.of(), vm.pollIrqFds());
        assertEquals(1, doorbell.sent(), "the device sent it; VFIO had no trigger");

        write(ENTRY1 + 12, 0);
        assertTrue(dev.msixVectorAttached(1));
        write(REG_DOORBELL, 1);
        assertEquals(List.of(g1), vm.pollIrqFds());
        assertEquals(2, dev.msixRoutesAdded());
        assertEquals(0, dev.msixRoutesRemoved());
    }

    @Test
    void theFunctionMaskMasksEveryVectorAndAVectorUnmaskedLaterGetsItsRouteThen() {
        program(TABLE_OFFSET, 0x43);
        dev.configWrite(cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE | PciRegs.MSIX_FLAGS_MASKALL);
        assertNull(dev.msixGsi(0), "masked by the function mask when enabled");
        write(REG_DOORBELL, 0);
        assertEquals(List.of(), vm.pollIrqFds());

        dev.configWrite(cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE);
        Gsi g0 = dev.msixGsi(0);
        assertNotNull(g0);
        assertNull(dev.msixGsi(1), "entry 1 is still masked");
        write(REG_DOORBELL, 0);
        assertEquals(List.of(g0), vm.pollIrqFds());

        program(ENTRY1, 0x44);
        Gsi g1 = dev.msixGsi(1);
        assertNotNull(g1);
        write(REG_DOORBELL, 1);
        assertEquals(List.of(g1), vm.pollIrqFds());

        dev.configWrite(cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE | PciRegs.MSIX_FLAGS_MASKALL);
        assertFalse(dev.msixVectorAttached(0));
        assertFalse(dev.msixVectorAttached(1));
        write(REG_DOORBELL, 0);
        assertEquals(List.of(), vm.pollIrqFds());
        assertEquals(2, router.msiRouteCount());
    }

    @Test
    void closingWhileEnabledReleasesEverything() {
        program(TABLE_OFFSET, 0x43);
        program(ENTRY1, 0x44);
        dev.configWrite(cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE);
        assertEquals(2, router.msiRouteCount());
        rig.closeDevice();
        assertEquals(0, router.msiRouteCount());
        assertEquals(2, dev.msixRoutesRemoved());
        // @AfterEach then checks that no fd is left
    }
}
