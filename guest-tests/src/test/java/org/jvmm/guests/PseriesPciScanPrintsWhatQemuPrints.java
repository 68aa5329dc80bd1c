package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pci-scan guest: RTAS ibm,read-pci-config over bus 0 finds the edu in slot 0 with QEMU's
 * identity (class 00ff00, its MSI capability at 0x40), BARs unassigned and COMMAND 0 at boot, the
 * RTAS errors for an absent slot, a misaligned or 3-byte access, an unknown BUID and a wrong
 * argument count (all -1, hardware error, as spapr_pci.c answers), then BAR0 placed from the
 * PHB's 32-bit window and memory decode plus bus mastering turned on.
 */
class PseriesPciScanPrintsWhatQemuPrints {

    @ParameterizedTest(name = "{0} kvm-tce={1}")
    @CsvSource({"le, false", "be, false", "le, true", "be, true"})
    @DisplayName("pci-scan: QEMU's lines; configuration space goes through RTAS, not MMIO")
    void pciScanPrintsQemusLines(String endian, boolean kvmTce) {
        PseriesGuestRun r = PseriesGuestRun.run("pci-scan", endian, kvmTce);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("pci-scan", endian));
        assertEquals(0, r.exits("mmio"), r.all());
    }
}
