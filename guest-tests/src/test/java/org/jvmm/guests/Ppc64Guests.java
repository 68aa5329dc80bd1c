package org.jvmm.guests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The ppc64 pseries guests (built by guests/ppc64/build.sh into images/ppc64/NAME-ENDIAN.bin) and
 * the transcripts QEMU 7.2 printed for them (src/test/resources/ppc64/qemu, recorded by
 * guests/ppc64/qemu-transcripts.sh with the commands its README gives).
 */
final class Ppc64Guests {
    private Ppc64Guests() {
    }

    /** Every guest, in the order the README lists them. */
    static final List<String> NAMES = List.of("hello", "dt-walk", "tce", "pci-scan", "edu", "edu-msi", "ddw", "eeh",
            "power-off");
    static final List<String> ENDIANS = List.of("le", "be");

    /** Every (name, endian) pair, for parameterized tests. */
    static Stream<Arguments> all() {
        List<Arguments> a = new ArrayList<>();
        for (String n : NAMES) {
            for (String e : ENDIANS) {
                a.add(Arguments.of(n, e));
            }
        }
        return a.stream();
    }

    static Path image(String name, String endian) {
        return Path.of("images", "ppc64", name + "-" + endian + ".bin");
    }

    /** The -kernel guests (guests/ppc64/vof), ELF images for QEMU's x-vof=on. */
    static final List<String> KERNEL_NAMES = List.of("vof-walk");
    /** The -append the -kernel guests' transcripts were recorded with. */
    static final String KERNEL_APPEND = "console=hvc0";

    static Path kernelImage(String name, String endian) {
        return Path.of("images", "ppc64", name + "-" + endian + ".elf");
    }

    /** The QEMU command that recorded a -kernel guest's transcript (see the transcripts' README). */
    static List<String> qemuKernelCommand(String name, String endian) {
        return List.of("qemu-system-ppc64", "-M", "pseries,x-vof=on", "-m", "512M", "-nodefaults", "-nographic",
                "-chardev", "stdio,id=c", "-device", "spapr-vty,chardev=c", "-device", "edu,dma_mask=0xffffffffffffffff",
                "-kernel", kernelImage(name, endian).toString(), "-append", KERNEL_APPEND);
    }

    /** What QEMU 7.2 printed for this image, byte for byte. */
    static String qemuTranscript(String name, String endian) {
        Path p = Path.of("src", "test", "resources", "ppc64", "qemu", name + "-" + endian + ".txt");
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("reading QEMU transcript " + p.toAbsolutePath(), e);
        }
    }

    /**
     * Output with every timebase value masked: guests print values read from the timebase as
     * {@code [tb N]}, which differ from run to run on QEMU; they become {@code [tb]}.
     */
    static String maskTimebase(String output) {
        return output.replaceAll("\\[tb [0-9]+\\]", "[tb]");
    }

    /** The QEMU command that recorded the transcript (see the transcripts' README). */
    static List<String> qemuCommand(String name, String endian) {
        return List.of("qemu-system-ppc64", "-M", "pseries", "-m", "512M", "-nodefaults", "-nographic", "-chardev",
                "stdio,id=c", "-device", "spapr-vty,chardev=c", "-device",
                "edu,dma_mask=0xffffffffffffffff", "-bios",
                image(name, endian).toString());
    }

    /** Why {@code tool} cannot be run here (not on PATH), or empty when it can. */
    static Optional<String> missingTool(String tool) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(tool + " is not installed (not on PATH)");
    }
}
