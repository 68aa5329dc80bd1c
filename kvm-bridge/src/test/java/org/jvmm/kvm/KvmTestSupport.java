package org.jvmm.kvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.jvmm.kvm.linux.LinuxKvm;

/** Helpers shared by the tests: the /dev/kvm assumption and the committed guest images. */
public final class KvmTestSupport {
    private static volatile Optional<String> unavailable;

    private KvmTestSupport() {
    }

    /** Skips the calling test, with the reason, when /dev/kvm cannot be used here. */
    public static void assumeKvm() {
        Optional<String> reason = unavailable;
        if (reason == null) {
            // -Djvmm.test.noKvm shows how the suite behaves on a host without /dev/kvm.
            reason = System.getProperty("jvmm.test.noKvm") != null
                    ? Optional.of("disabled by -Djvmm.test.noKvm")
                    : LinuxKvm.unavailableReason();
            unavailable = reason;
        }
        Optional<String> r = reason;
        Assumptions.assumeTrue(r.isEmpty(), () -> "needs a usable /dev/kvm: " + r.orElse(""));
    }

    /** A committed guest image from src/test/resources/guests. */
    public static byte[] guestImage(String name) {
        try (InputStream in = KvmTestSupport.class.getResourceAsStream("/guests/" + name)) {
            if (in == null) {
                throw new IllegalStateException("guest image " + name + " is missing: run src/test/resources/guests/build.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
