package org.jvmm.journal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code -journal DIR[,categories=exit,dma,...]}: where the journal goes and what it records (all
 * categories when none are named).
 *
 * @param dir the queue's directory
 * @param categories what to record
 */
public record JournalOption(Path dir, Set<JournalCategory> categories) {
    /**
     * Parses a -journal value.
     *
     * @throws IllegalArgumentException naming -journal, the value and what is wrong
     */
    public static JournalOption parse(String spec) {
        String where = "-journal " + spec;
        String[] parts = spec.split(",");
        if (parts.length == 0 || parts[0].isEmpty()) {
            throw new IllegalArgumentException(where + ": needs a directory");
        }
        Set<JournalCategory> cats = EnumSet.noneOf(JournalCategory.class);
        boolean inCategories = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("categories=")) {
                inCategories = true;
                p = p.substring("categories=".length());
            } else if (!inCategories || p.contains("=")) {
                throw new IllegalArgumentException(where + ": unknown option '" + p + "' (known: categories=NAME,NAME...)");
            }
            if (p.equals("all")) {
                cats.addAll(Journal.all());
            } else {
                JournalCategory c = JournalCategory.of(where, p);
                if (c == JournalCategory.RUN) {
                    throw new IllegalArgumentException(where + ": 'run' is always recorded; name what else to record");
                }
                cats.add(c);
            }
        }
        return new JournalOption(Path.of(parts[0]), cats.isEmpty() ? Journal.all() : cats);
    }

    /**
     * Opens the journal and records how the run was started: the command line, and the -qtest
     * script's text (read here from stdin or the file, so {@code journal verify} can run it again;
     * stdin is put back for the run).
     */
    public JournalWriter open(List<String> args, String qtest) throws IOException {
        String script = "";
        if (qtest != null) {
            if (qtest.equals("stdio")) {
                byte[] all = System.in.readAllBytes();
                System.setIn(new ByteArrayInputStream(all));
                script = new String(all, StandardCharsets.UTF_8);
            } else if (Files.isRegularFile(Path.of(qtest))) {
                script = Files.readString(Path.of(qtest));
            }
        }
        JournalWriter w = Journal.open(dir, categories);
        Journal.record(JournalCategory.RUN, "args", 0, 0, 0, 0, String.join("\u0000", args));
        Journal.record(JournalCategory.RUN, "qtest-script", 0, 0, 0, 0, script);
        return w;
    }
}
