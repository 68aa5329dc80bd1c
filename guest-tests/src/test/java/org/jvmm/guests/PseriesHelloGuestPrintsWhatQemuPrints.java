package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hello guest prints on the vty what it printed on QEMU 7.2, including the MSR it was entered
 * with (QEMU: 0, big-endian 32-bit real mode) and, little-endian, H_SET_MODE's status.
 */
class PseriesHelloGuestPrintsWhatQemuPrints {

    @ParameterizedTest(name = "{0} kvm-tce={1}")
    @CsvSource({"le, false", "be, false", "le, true", "be, true"})
    @DisplayName("hello: QEMU's lines, entry MSR included; only hypercalls exit")
    void helloPrintsQemusLines(String endian, boolean kvmTce) {
        PseriesGuestRun r = PseriesGuestRun.run("hello", endian, kvmTce);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("hello", endian));
        assertEquals(0, r.exits("mmio"), r.all());
        assertEquals("0 maps, 0 unmaps, 0 faults", r.row("iommu"), r.all());
    }
}
