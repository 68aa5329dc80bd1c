package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCE hypercalls with their boundary status codes, kvm-tce=on: the accelerator answers as
 * KVM's in-kernel handlers (arch/powerpc/kvm/book3s_64_vio.c), which is an intended difference
 * from QEMU without KVM. The expected output is QEMU 7.2's transcript with exactly those lines
 * replaced, each for its rule; every other line is QEMU's. (kvm-tce=off, QEMU's answers
 * throughout: PseriesTceGuestPrintsWhatQemuPrints.)
 */
class PseriesTceGuestWithKvmTceAnswersAsKvm {

    /** QEMU's line -> KVM's line, where book3s_64_vio.c answers differently. */
    static Map<String, String> kvmDifferences() {
        Map<String, String> d = new LinkedHashMap<>();
        // kvmppc_ioba_validate: a misaligned ioba is H_PARAMETER (QEMU rounds it down)
        d.put("H_PUT_TCE(misaligned ioba 0x2345) = 0 (QEMU 0, KVM in-kernel -4)",
                "H_PUT_TCE(misaligned ioba 0x2345) = -4 (QEMU 0, KVM in-kernel -4)");
        d.put("H_GET_TCE(0x2000) after it: the TCE", "H_GET_TCE(0x2000) after it: 0");
        // kvmppc_h_stuff_tce: zero pages validate and loop zero times (QEMU starts from H_PARAMETER)
        d.put("H_STUFF_TCE(0 pages) = -4 (QEMU -4, KVM in-kernel 0)", "H_STUFF_TCE(0 pages) = 0 (QEMU -4, KVM in-kernel 0)");
        // kvmppc_h_stuff_tce: a value with R or W is H_PARAMETER and nothing is written
        d.put("H_STUFF_TCE(value with permission bits) = 0 (QEMU 0, KVM in-kernel -4)",
                "H_STUFF_TCE(value with permission bits) = -4 (QEMU 0, KVM in-kernel -4)");
        d.put("H_GET_TCE(0x21000) after it: the stuffed TCE", "H_GET_TCE(0x21000) after it: 0");
        // KVM validates the whole range before writing: a range past the end writes nothing
        d.put("H_GET_TCE(last page) after it: cleared", "H_GET_TCE(last page) after it: unchanged");
        // kvmppc_h_put_tce_indirect accepts zero entries, and validates the whole range before
        // writing: a list running past the end writes nothing (QEMU writes up to the end)
        d.put("H_PUT_TCE_INDIRECT(0 entries) = -4 (QEMU -4, KVM in-kernel 0)",
                "H_PUT_TCE_INDIRECT(0 entries) = 0 (QEMU -4, KVM in-kernel 0)");
        d.put("H_GET_TCE(end - 2 pages) after it: written", "H_GET_TCE(end - 2 pages) after it: untouched");
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("kvm-tce=on: KVM's in-kernel answers where they differ (H_STUFF_TCE with R/W is H_PARAMETER)")
    void theAcceleratorAnswersAsKvm(String endian) {
        String expected = Ppc64Guests.qemuTranscript("tce", endian);
        for (Map.Entry<String, String> e : kvmDifferences().entrySet()) {
            String line = e.getKey() + "\n";
            assertTrue(expected.contains(line), () -> "QEMU's transcript has no line " + e.getKey());
            expected = expected.replace(line, e.getValue() + "\n");
        }
        PseriesGuestRun r = PseriesGuestRun.run("tce", endian, true);
        r.assertPoweredOff();
        r.assertPrinted(expected);
        assertEquals("0 maps, 0 unmaps, 0 faults", r.row("iommu"), r.all());
    }
}
