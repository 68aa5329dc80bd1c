package org.jvmm.guests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.jvmm.kvm.linux.LinuxKvm;

/** Skips a test, with the reason, where /dev/kvm cannot be used. */
final class KvmAvailable {
    private KvmAvailable() {
    }

    static void assume() {
        Optional<String> why = LinuxKvm.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "needs /dev/kvm: " + why.orElse(""));
    }
}
