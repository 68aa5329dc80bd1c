package org.jvmm.bench.ppc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The benchmark guests' RAM: 16 MiB with a real-mode image from the class path copied to address 0. */
final class RealModeImage {
    private RealModeImage() {
    }

    static MemorySegment ram(Arena arena, String resource) {
        MemorySegment ram = arena.allocate(16 << 20, 4096);
        byte[] image;
        try (InputStream in = RealModeImage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
        MemorySegment.copy(MemorySegment.ofArray(image), 0, ram, 0, image.length);
        return ram;
    }
}
