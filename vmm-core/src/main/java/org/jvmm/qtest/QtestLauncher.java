package org.jvmm.qtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.PseriesConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;

/**
 * {@code ./vmm -M pseries[,kvm-tce=on|off][,link=mainline|seed] -qtest stdio|FILE}: builds the
 * pseries machine with {@link PseriesBuilder} (a {@link org.jvmm.host.kernel.PowerHost} whose
 * edu is given to the guest in slot 1) and runs a {@link QtestSession} over stdin or the file.
 * Exit status 0 when every command answered OK, 1 otherwise.
 */
public final class QtestLauncher {
    private QtestLauncher() {
    }

    /**
     * Runs a session on {@code -M machine} with {@code ramSize} bytes of RAM; {@code source} is
     * "stdio" or a file path. Returns the exit status.
     *
     * @throws IllegalArgumentException for a bad machine spec or RAM size, or a script file that
     *     cannot be opened (naming -M, -m or -qtest and the value)
     * @throws IOException when reading the script fails part way
     */
    public static int run(String machine, long ramSize, String source, InputStream stdin, PrintStream out) throws IOException {
        PseriesConfig options = PseriesConfig.parse(machine);
        return run(new PseriesBuilder(MemoryConfig.of(ramSize)).options(options), source, stdin, out);
    }

    /** As {@link #run(String, long, String, InputStream, PrintStream)}, on the machine {@code builder} builds. */
    public static int run(PseriesBuilder builder, String source, InputStream stdin, PrintStream out) throws IOException {
        InputStream script = source.equals("stdio") ? stdin : openScript(source);
        try (script; PseriesMachine m = builder.build()) {
            return new QtestSession(m, out).run(script) == 0 ? 0 : 1;
        }
    }

    /**
     * Opens the script file {@code -qtest FILE}.
     *
     * @throws IllegalArgumentException naming -qtest and the file when it is missing, a directory
     *     or unreadable
     */
    public static InputStream openScript(String source) {
        String where = "-qtest " + source;
        Path path;
        try {
            path = Path.of(source);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(where + ": not a file name (" + e.getReason() + ")");
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(where + ": is a directory, not a script");
        }
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(where + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot be read (" + e.getMessage() + ")");
        }
    }
}
