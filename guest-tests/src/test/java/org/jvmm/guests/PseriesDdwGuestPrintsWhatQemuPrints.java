package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ddw guest: ibm,query-pe-dma-window, ibm,create-pe-dma-window (64 KiB pages, 1 GiB at 2^59),
 * DMA through the 64-bit window above 4 GiB both ways, ibm,remove-pe-dma-window, printed as on
 * QEMU 7.2.
 */
class PseriesDdwGuestPrintsWhatQemuPrints {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("ddw, kvm-tce=off: QEMU's lines; two maps through the VMM's notifier, 1024 DMA bytes")
    void ddwPrintsQemusLines(String endian) {
        PseriesGuestRun r = PseriesGuestRun.run("ddw", endian, false);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("ddw", endian));
        assertEquals("2 maps, 0 unmaps, 0 faults", r.row("iommu"), r.all());
        assertEquals("1024 (512 into guest memory, 512 from guest memory)", r.row("dma bytes"), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("ddw, kvm-tce=on: QEMU's lines but one; the created window's TCE calls complete in the accelerator")
    void ddwWithTheAcceleratorHandlingTceCalls(String endian) {
        PseriesGuestRun r = PseriesGuestRun.run("ddw", endian, true);
        r.assertPoweredOff();
        // The one intended difference: KVM's kvmppc_h_get_tce validates the IOBA with
        // kvmppc_ioba_validate, which refuses an address inside a page (H_PARAMETER), where QEMU's
        // h_get_tce rounds it down to the page; so the unaligned H_GET_TCE reads no TCE here.
        String qemu = Ppc64Guests.qemuTranscript("ddw", endian);
        String asWritten = "H_GET_TCE(start + 64 KiB + 0x1234) = TCE as written\n";
        assertTrue(qemu.contains(asWritten), qemu);
        r.assertPrinted(qemu.replace(asWritten, "H_GET_TCE(start + 64 KiB + 0x1234) = TCE other\n"));
        assertEquals("1024 (512 into guest memory, 512 from guest memory)", r.row("dma bytes"), r.all());
    }
}
