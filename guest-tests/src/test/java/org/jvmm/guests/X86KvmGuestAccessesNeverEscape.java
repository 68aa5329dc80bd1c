package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.jvmm.fuzz.FuzzCampaign;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The x86 guest fuzzer on KVM ({@link X86KvmGuestFuzzer}; skipped, with the reason, without a
 * usable /dev/kvm): the committed corpus, then a few random access tables from the fixed seed.
 * The long run is {@code scripts/fuzz.sh guest-x86-kvm DURATION [SEED]}.
 */
class X86KvmGuestAccessesNeverEscape {

    @Test
    @DisplayName("a KVM guest making random MMIO, port I/O and PCI config accesses to edu, ivshmem and the MSI-X doorbell: nothing escapes the VMM, no hang")
    void randomGuestAccesses() {
        KvmAvailable.assume();
        FuzzCampaign.Result r = FuzzCampaign.run(new X86KvmGuestFuzzer(), Path.of("src/test/resources/fuzz/guest-x86-kvm"),
                FuzzCampaign.Bounds.fromSystemProperties(8));
        assertEquals(0, r.escapes(), r.report());
    }
}
