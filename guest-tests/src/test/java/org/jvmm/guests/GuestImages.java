package org.jvmm.guests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed guest images (built by guests/x86/build.sh), read from the module's images folder. */
final class GuestImages {
    private GuestImages() {
    }

    static byte[] x86(String name) {
        Path p = Path.of("images", "x86", name + ".elf");
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("reading guest image " + p.toAbsolutePath(), e);
        }
    }
}
