package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MSI through XICS: ibm,change-msi, ibm,query-interrupt-source-number, ibm,set-xive/int-on/get-xive,
 * the DMA-completion MSI taken at 0x500 (H_XIRR, acknowledge, H_EOI), then an IPI to itself, all
 * printed as on QEMU 7.2 (source 0x1300, XIRR 0xff001300, then 0xff000002); the IPI's latency in
 * timebase ticks is masked in the comparison and repeats exactly from run to run on jvmm.
 */
class PseriesEduMsiGuestPrintsWhatQemuPrints {

    @ParameterizedTest(name = "{0} kvm-tce={1}")
    @CsvSource({"le, false", "be, false", "le, true", "be, true"})
    @DisplayName("edu-msi: QEMU's lines; one MSI delivered through XICS")
    void msiThroughXicsAsOnQemu(String endian, boolean kvmTce) {
        PseriesGuestRun r = PseriesGuestRun.run("edu-msi", endian, kvmTce);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("edu-msi", endian));
        // the DMA completion is the one MSI; the IPI never leaves the interrupt controller
        assertEquals("1 (1 MSI, 0 INTx)", r.row("interrupts"), r.all());
        assertEquals("64 (0 into guest memory, 64 from guest memory)", r.row("dma bytes"), r.all());
        // one H_PUT_TCE: through the VMM's notifier with kvm-tce=off, inside the accelerator with on
        assertEquals(kvmTce ? "0 maps, 0 unmaps, 0 faults" : "1 maps, 0 unmaps, 0 faults", r.row("iommu"), r.all());
        // the timebase counts retired instructions: the IPI latency QEMU's transcript masks is the
        // same number on every jvmm run
        assertTrue(r.guest().matches("(?s).*IPI delivered \\[tb [0-9]+\\] ticks after H_IPI was made\n.*"), r.all());
        assertEquals(r.guest(), PseriesGuestRun.run("edu-msi", endian, kvmTce).guest());
    }
}
