package org.jvmm.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The corpus file format of the fuzzers whose case is a list of text lines (one guest action or
 * exit per line): a {@code #} header comment, then the lines; blank lines and {@code #} comments
 * are skipped when read back, and each line is stripped.
 */
public final class LineCorpus {
    private LineCorpus() {
    }

    /** {@code lines} under a one-line {@code # header} comment, UTF-8, each line ended by a newline. */
    public static byte[] render(String header, List<String> lines) {
        return ("# " + header + "\n" + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The lines of a corpus file, without blank lines and {@code #} comments, each stripped. */
    public static List<String> parse(byte[] file) {
        List<String> out = new ArrayList<>();
        for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(line.strip());
            }
        }
        return out;
    }
}
