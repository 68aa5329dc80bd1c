package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    @DisplayName("ddw, kvm-tce=on: QEMU's lines; the created window's H_PUT_TCE complete in the accelerator")
    void ddwWithTheAcceleratorHandlingTceCalls(String endian) {
        PseriesGuestRun r = PseriesGuestRun.run("ddw", endian, true);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("ddw", endian));
        assertEquals("1024 (512 into guest memory, 512 from guest memory)", r.row("dma bytes"), r.all());
    }
}
