package org.jvmm.guests;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCE hypercalls with their boundary status codes, kvm-tce=off: the VMM answers as QEMU 7.2
 * (hw/ppc/spapr_iommu.c) and the guest prints QEMU's transcript. (kvm-tce=on:
 * PseriesTceGuestWithKvmTceAnswersAsKvm.)
 */
class PseriesTceGuestPrintsWhatQemuPrints {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("kvm-tce=off: every status as QEMU 7.2 answers it")
    void theVmmAnswersAsQemu(String endian) {
        PseriesGuestRun r = PseriesGuestRun.run("tce", endian, false);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("tce", endian));
    }
}
