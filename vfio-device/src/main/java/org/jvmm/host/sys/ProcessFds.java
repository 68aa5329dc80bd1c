package org.jvmm.host.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The open file descriptors of this process, as /proc/self/fd lists them: for leak checks. */
public final class ProcessFds {
    private ProcessFds() {
    }

    /** How many file descriptors this process has open now. */
    public static long count() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("listing /proc/self/fd", e);
        }
    }
}
