package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run of the launcher's start-up cache runs what users most often type: the main
 * job, the pseries edu guest big- then little-endian (each only when its image is there), and
 * {@code --help}. The launcher's own cases (cache missing, stale, refused) are in
 * {@code scripts/launcher-test.sh}, which CI runs.
 */
class AotTrainingRunsTheMainJobThePseriesEdusAndHelp {
    @TempDir
    Path home;

    @Test
    void withBothImagesTheTrainingRunsFourCommandLinesInOrder() throws IOException {
        Path images = Files.createDirectories(home.resolve("guest-tests/images/ppc64"));
        Files.write(images.resolve("edu-be.bin"), new byte[] {0});
        Files.write(images.resolve("edu-le.bin"), new byte[] {0});
        assertEquals(List.of(
                List.of(),
                List.of("-M", "pseries", "-bios", images.resolve("edu-be.bin").toString()),
                List.of("-M", "pseries,kvm-tce=off", "-bios", images.resolve("edu-le.bin").toString()),
                List.of("--help")), AotTraining.commandLines(home));
    }

    @Test
    void withoutTheImagesTheTrainingRunsTheMainJobAndHelpOnly() {
        assertEquals(List.of(List.of(), List.of("--help")), AotTraining.commandLines(home));
    }

    @Test
    void onlyACommandLineThatRunsAMachineLinksTheCLibraryAhead() {
        assertEquals(true, Main.runsAMachine(new String[] {}));
        assertEquals(true, Main.runsAMachine(new String[] {"-M", "pseries", "-bios", "x.bin"}));
        assertEquals(false, Main.runsAMachine(new String[] {"--help"}));
        assertEquals(false, Main.runsAMachine(new String[] {"-M", "pseries", "-h"}));
        assertEquals(false, Main.runsAMachine(new String[] {"--version"}));
        assertEquals(false, Main.runsAMachine(new String[] {"journal", "show", "dir"}));
    }

    @Test
    void aPseriesCommandLineLinksOnlyMemoryAndEventfdsAhead() {
        assertEquals(true, Main.onSoftCpu(new String[] {"-M", "pseries", "-bios", "x.bin"}));
        assertEquals(true, Main.onSoftCpu(new String[] {"-m", "64M", "-M", "pseries,kvm-tce=on"}));
        assertEquals(true, Main.onSoftCpu(new String[] {"--machine", "pseries,link=seed"}));
        assertEquals(true, Main.onSoftCpu(new String[] {"--machine=pseries"}));
        assertEquals(true, Main.onSoftCpu(new String[] {"-Mpseries"}));
        assertEquals(false, Main.onSoftCpu(new String[] {}));
        assertEquals(false, Main.onSoftCpu(new String[] {"-M", "x86-toy"}));
        assertEquals(false, Main.onSoftCpu(new String[] {"-M", "pseriesX"}));
        assertEquals(false, Main.onSoftCpu(new String[] {"-M"}));
        assertEquals(false, Main.onSoftCpu(new String[] {"-m", "pseries"}));
    }
}
