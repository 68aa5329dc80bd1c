package org.jvmm.machine.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.jvmm.fuzz.FuzzCampaign;
import org.jvmm.fuzz.Fuzzers;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The x86 exit fuzzer (synthetic MMIO, port I/O and PCI configuration exits through the exit
 * handler, no /dev/kvm needed): the committed corpus, then a bounded number of random exit
 * sequences from the fixed seed. The long run is {@code scripts/fuzz.sh guest-x86 DURATION [SEED]}.
 */
class X86GuestExitsNeverEscape {

    @Test
    @DisplayName("random MMIO, port I/O and PCI config exits to edu, ivshmem and the MSI-X doorbell through vfio-pci: nothing escapes the exit handler")
    void randomExits() {
        FuzzCampaign.Result r = FuzzCampaign.run(Fuzzers.x86Exits(), Path.of("src/test/resources/fuzz/guest-x86"),
                FuzzCampaign.Bounds.fromSystemProperties(60));
        assertEquals(0, r.escapes(), r.report());
    }
}
