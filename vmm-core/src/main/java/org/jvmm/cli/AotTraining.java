package org.jvmm.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the JDK's ahead-of-time cache (JEPs 483, 514, 515): the launcher runs this
 * class once after a build with {@code -XX:AOTCacheOutput=FILE}, and later runs of {@code ./vmm}
 * start from that cache ({@code -XX:AOTCache=FILE}) with the classes the runs below loaded and
 * linked, and the profiles of the methods they ran.
 *
 * <p>It runs what a user most often types, each through {@link Main#linkAhead} and {@link Main#run}
 * as the command line would, its output thrown away: the main job (which answers status 3 without
 * KVM, having parsed and checked its options all the same), a pseries {@code -bios} guest for each
 * of the ppc64 images named by {@link #PSERIES_IMAGES} that is present, and {@code --help}. A run
 * that fails is only reported: the cache is made from whatever ran.
 */
public final class AotTraining {
    /** The ppc64 guests the training boots, relative to the jvmm home: the edu/TCE guest, big- then little-endian. */
    static final List<String> PSERIES_IMAGES = List.of("guest-tests/images/ppc64/edu-be.bin",
            "guest-tests/images/ppc64/edu-le.bin");
    /**
     * The machine each image boots on, in the same order: the default (KVM's TCE acceleration on,
     * as {@code -M pseries} gives it), then {@code kvm-tce=off} (as the boot benchmark runs), so
     * that the classes of both TCE paths come from the cache.
     */
    static final List<String> PSERIES_MACHINES = List.of("pseries", "pseries,kvm-tce=off");

    private AotTraining() {
    }

    /** The command lines the training runs, for a jvmm home directory. */
    static List<List<String>> commandLines(Path home) {
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of());
        for (int i = 0; i < PSERIES_IMAGES.size(); i++) {
            Path p = home.resolve(PSERIES_IMAGES.get(i));
            if (Files.isRegularFile(p)) {
                lines.add(List.of("-M", PSERIES_MACHINES.get(i), "-bios", p.toString()));
            }
        }
        lines.add(List.of("--help"));
        return lines;
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("jvmm.home", "."));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true);
        int failed = 0;
        for (List<String> line : commandLines(home)) {
            String[] command = line.toArray(String[]::new);
            Main.linkAhead(command); // as Main.main does
            int status = Main.run(quiet, quiet, command);
            if (status != 0 && !(status == 3 && line.isEmpty())) {
                System.err.println("jvmm: start-up cache training: './vmm " + String.join(" ", line) + "' ended with status "
                        + status + "; the cache is made from the other runs");
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
