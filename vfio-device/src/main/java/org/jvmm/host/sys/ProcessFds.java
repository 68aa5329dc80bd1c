package org.jvmm.host.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * Each open file descriptor with what it refers to (the /proc/self/fd link's target), leaving
     * out the descriptor this listing itself holds: a leak check compares two snapshots and blames a
     * case only for descriptors that appeared, not for ones another thread closed meanwhile.
     */
    public static Map<Integer, String> snapshot() {
        Path dir = Path.of("/proc/self/fd");
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue; // closed between the listing and the read, the listing's own among them
                }
                if (!target.startsWith("/proc/") || !target.endsWith("/fd")) {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing /proc/self/fd", e);
        }
        return fds;
    }

    /**
     * The descriptors open now that were not open in {@code before} (a {@link #snapshot}), or that
     * now refer to another file: what a case opened and did not close, whatever other threads of
     * the process closed meanwhile (a child process's pipes, say, which the JDK closes when the
     * child ends).
     */
    public static Map<Integer, String> openedSince(Map<Integer, String> before) {
        Map<Integer, String> now = snapshot();
        now.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
        return now;
    }
}
