package org.jvmm.guests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.jvmm.kvm.linux.LinuxKvm;

/** Skips a test, with the reason, where /dev/kvm cannot be used. */
final class KvmAvailable {
    private KvmAvailable() {
    }

    static void assume() {
        // -Djvmm.test.noKvm shows how the suites behave on a host without /dev/kvm
        Optional<String> why = System.getProperty("jvmm.test.noKvm") != null
                ? Optional.of("disabled by -Djvmm.test.noKvm") : LinuxKvm.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "needs /dev/kvm: " + why.orElse(""));
    }
}
