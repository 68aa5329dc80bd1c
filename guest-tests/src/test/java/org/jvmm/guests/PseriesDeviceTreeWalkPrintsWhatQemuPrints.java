package org.jvmm.guests;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dt-walk guest prints the device-tree nodes and properties the other guests rely on (the
 * console vty, the RTAS tokens, timebase, memory, XICS, PHB 0 with its ranges and DMA window)
 * exactly as it found them on QEMU 7.2.
 */
class PseriesDeviceTreeWalkPrintsWhatQemuPrints {

    @ParameterizedTest(name = "{0} kvm-tce={1}")
    @CsvSource({"le, false", "be, false", "le, true", "be, true"})
    @DisplayName("dt-walk: the device tree as QEMU 7.2 builds it, for what a guest reads")
    void deviceTreeAsQemuBuildsIt(String endian, boolean kvmTce) {
        PseriesGuestRun r = PseriesGuestRun.run("dt-walk", endian, kvmTce);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("dt-walk", endian));
    }
}
