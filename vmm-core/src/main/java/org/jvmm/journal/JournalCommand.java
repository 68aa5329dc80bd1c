package org.jvmm.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./vmm journal show|summary|verify DIR}: reads a journal written with {@code -journal DIR}. */
@Command(name = "journal", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = "Read a journal written with -journal DIR.",
        subcommands = {JournalCommand.Show.class, JournalCommand.Summary.class, JournalCommand.Verify.class})
public final class JournalCommand implements Callable<Integer> {
    /** Runs a command line in this process (the VMM's Main.run), for verify. */
    private static volatile Function<String[], Integer> runner;

    /** How verify runs the recorded command line again (set by the VMM's Main). */
    public static void runner(Function<String[], Integer> run) {
        runner = run;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, addMethodSubcommands = false,
            description = "Print the events, one a line.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "DIR")
        Path dir;

        @Option(names = "--follow", description = "Keep printing events as a live run appends them (Ctrl-C ends).")
        boolean follow;

        @Option(names = "--category", paramLabel = "NAME", split = ",", description = "Only these categories (repeatable).")
        List<String> categories = new ArrayList<>();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Set<JournalCategory> only = EnumSet.noneOf(JournalCategory.class);
            for (String c : categories) {
                only.add(JournalCategory.of("--category " + c, c));
            }
            var out = spec.commandLine().getOut();
            try (JournalReader r = new JournalReader(dir)) {
                while (true) {
                    JournalEvent e = r.next();
                    if (e == null) {
                        out.flush();
                        if (!follow) {
                            return 0;
                        }
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException stop) {
                            return 0; // Ctrl-C or the caller: following ends
                        }
                        continue;
                    }
                    if (only.isEmpty() || only.contains(e.category())) {
                        out.println(e.category() == JournalCategory.RUN ? runLine(e) : e.format());
                    }
                }
            }
        }

        private static String runLine(JournalEvent e) {
            String text = e.kind().equals("args") ? String.join(" ", e.text().split("\u0000"))
                    : e.text().lines().count() + " line(s)";
            return String.format("%8d %12.6f %-11s %s %s", e.index(), e.nanos() / 1e9, "run", e.kind(), text);
        }
    }

    @Command(name = "summary", mixinStandardHelpOptions = true, addMethodSubcommands = false,
            description = "The run's totals, as the run summary gives them.")
    static final class Summary implements Callable<Integer> {
        @Parameters(paramLabel = "DIR")
        Path dir;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(summary(JournalReader.readAll(dir)));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** Totals by category and kind, aligned, one fact a line. */
    static String summary(List<JournalEvent> events) {
        Map<JournalCategory, Map<String, Long>> counts = new TreeMap<>();
        Map<JournalCategory, Long> errors = new TreeMap<>();
        for (JournalEvent e : events) {
            if (e.category() == JournalCategory.RUN) {
                continue;
            }
            counts.computeIfAbsent(e.category(), k -> new TreeMap<>()).merge(e.kind(), 1L, Long::sum);
            if (e.category() == JournalCategory.DMA && e.c() != 0 || e.category() == JournalCategory.QMP && !e.text().equals("ok")) {
                errors.merge(e.category(), 1L, Long::sum);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-14s %d%n", "events", events.stream().filter(e -> e.category() != JournalCategory.RUN).count()));
        for (var c : counts.entrySet()) {
            long total = c.getValue().values().stream().mapToLong(Long::longValue).sum();
            StringBuilder kinds = new StringBuilder();
            c.getValue().forEach((k, n) -> kinds.append(kinds.isEmpty() ? "" : ", ").append(k).append(' ').append(n));
            out.append(String.format("%-14s %d (%s)%s%n", c.getKey().cliName(), total, kinds,
                    errors.containsKey(c.getKey()) ? ", " + errors.get(c.getKey()) + " failed" : ""));
        }
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, addMethodSubcommands = false,
            description = {"Run the recorded pseries -qtest run again on the soft CPU and check that its",
            "journal equals the recorded one event for event (times and QMP commands aside)."})
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "DIR")
        Path dir;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            var out = spec.commandLine().getOut();
            List<JournalEvent> recorded = JournalReader.readAll(dir);
            String[] args = null;
            String script = null;
            for (JournalEvent e : recorded) {
                if (e.category() == JournalCategory.RUN && e.kind().equals("args")) {
                    args = e.text().split("\u0000", -1);
                } else if (e.category() == JournalCategory.RUN && e.kind().equals("qtest-script")) {
                    script = e.text();
                }
            }
            if (args == null) {
                throw new IllegalArgumentException("journal verify " + dir + ": the journal does not say how the run was started");
            }
            Path work = Files.createTempDirectory("jvmm-verify");
            try {
                String[] replay = replayArgs(args, script, work);
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
                PrintStream realOut = System.out;
                int status;
                System.setOut(quiet);
                try {
                    status = runner.apply(replay);
                } finally {
                    System.setOut(realOut);
                }
                List<JournalEvent> again = JournalReader.readAll(work.resolve("journal"));
                String diff = firstDifference(recorded, again);
                if (diff == null) {
                    long n = comparable(recorded).size();
                    out.println("journal verify: the replay matches, " + n + " events (run status " + status + ")");
                    return 0;
                }
                out.println("journal verify: the replay differs: " + diff);
                return 1;
            } finally {
                deleteTree(work);
            }
        }
    }

    /**
     * The recorded command line for a replay: -qmp, -S and -journal dropped, the script from the
     * journal, a fresh journal with the same categories.
     */
    static String[] replayArgs(String[] args, String script, Path work) throws IOException {
        List<String> out = new ArrayList<>();
        String categories = null;
        boolean pseries = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (a) {
                case "-qmp" -> i++;
                case "-S" -> { }
                case "-journal" -> {
                    int at = value.indexOf(",categories=");
                    categories = at < 0 ? null : value.substring(at + 1);
                    i++;
                }
                case "-qtest" -> {
                    Path s = work.resolve("script.qtest");
                    Files.writeString(s, script == null ? "" : script);
                    out.add("-qtest");
                    out.add(s.toString());
                    i++;
                }
                case "-M", "--machine" -> {
                    pseries = value.startsWith("pseries");
                    out.add(a);
                    out.add(value);
                    i++;
                }
                default -> out.add(a);
            }
        }
        if (!pseries) {
            throw new IllegalArgumentException("journal verify: the recorded run (" + String.join(" ", Arrays.asList(args))
                    + ") is x86-toy on KVM, which does not replay exactly; verify replays -M pseries -qtest runs (the soft CPU)");
        }
        out.add("-journal");
        out.add(work.resolve("journal") + (categories == null ? "" : "," + categories));
        return out.toArray(String[]::new);
    }

    /** The events a replay must reproduce: not how the run was started, not what a monitor client did. */
    static List<JournalEvent> comparable(List<JournalEvent> events) {
        return events.stream().filter(e -> e.category() != JournalCategory.RUN && e.category() != JournalCategory.QMP).toList();
    }

    /** The first event that differs, described, or null when both journals hold the same events. */
    static String firstDifference(List<JournalEvent> recorded, List<JournalEvent> replayed) {
        List<JournalEvent> a = comparable(recorded);
        List<JournalEvent> b = comparable(replayed);
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).content().equals(b.get(i).content())) {
                return "event " + i + " (journal index " + a.get(i).index() + "): recorded [" + a.get(i).format().strip()
                        + "], replayed [" + b.get(i).format().strip() + "]";
            }
        }
        if (a.size() != b.size()) {
            int i = Math.min(a.size(), b.size());
            return a.size() > b.size() ? "the replay ends after " + i + " events; recorded event " + i + " is [" + a.get(i).format().strip() + "]"
                    : "the replay has more events than the " + i + " recorded; the first extra is [" + b.get(i).format().strip() + "]";
        }
        return null;
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
