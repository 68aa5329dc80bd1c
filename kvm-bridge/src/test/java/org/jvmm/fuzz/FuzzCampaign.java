package org.jvmm.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs a {@link Fuzzer}: first every file of its committed corpus, then random cases from one
 * seed, each on a worker thread watched by the calling thread. An escape is a Throwable out of a
 * case (including StackOverflowError and the like) or a case that does not finish within the hang
 * limit (the watchdog then records the worker's stack and ends the campaign, since the worker
 * still holds the target).
 *
 * <p>Bounds: a fixed number of random cases (the bounded run inside the test suite, reproducible
 * from the seed), or a duration (the long runs). Both are read from system properties so that one
 * test method serves both: {@code jvmm.fuzz.duration} (e.g. {@code 600}, {@code 600s},
 * {@code 10m}), {@code jvmm.fuzz.seed} (decimal or 0x hex), {@code jvmm.fuzz.executions}.
 *
 * <p>The campaign prints one summary line, {@code fuzz NAME: seed=0x.. corpus=N executions=N
 * escapes=N hangs=N divergences=N time=Ns slowest=Nms (what the cases reached)}, and writes it to {@code target/fuzz/NAME.summary}; each distinct
 * escape's input goes to {@code target/fuzz/NAME/escape-K.*} with its stack trace beside it, ready
 * to be committed to the corpus.
 *
 * <p>Why a seeded driver and not Jazzer: jazzer-junit 0.30.0 does run on JDK 25 here, but in a
 * normal build it only replays its corpus (no bounded random run), in fuzzing mode it fuzzes one
 * test per JVM and stops at the first finding, and it reports no execution or escape counts. The
 * fuzzers here need a deterministic bounded run in every build, campaigns that count every escape
 * (and divergence) and go on, and a watchdog for hangs; their generators aim at the machine's
 * structure (valid opcodes, BARs, windows, TCEs) where coverage guidance would mostly explore the
 * parsers.
 */
public final class FuzzCampaign {
    /** The seed of the bounded in-suite runs. */
    public static final long DEFAULT_SEED = 0x6a766d6d_66757a7aL; // "jvmmfuzz"
    private static final int KEPT_ESCAPES = 20;

    private FuzzCampaign() {
    }

    /** What a campaign did. */
    public record Result(String name, long seed, int corpusFiles, long executions, long escapes, long hangs,
                         long divergences, Duration time, Duration slowestCase, String stats,
                         List<String> escapeReports) {
        public String summary() {
            return String.format(Locale.ROOT, "fuzz %s: seed=0x%x corpus=%d executions=%d escapes=%d hangs=%d divergences=%d time=%.1fs slowest=%dms%s",
                    name, seed, corpusFiles, executions, escapes, hangs, divergences, time.toMillis() / 1000.0, slowestCase.toMillis(),
                    stats.isEmpty() ? "" : " (" + stats + ")");
        }

        /** The summary and the first distinct escapes, for an assertion message. */
        public String report() {
            StringBuilder b = new StringBuilder(summary());
            for (String r : escapeReports) {
                b.append("\n---\n").append(r);
            }
            return b.toString();
        }
    }

    /** The bounds of a run: system properties override the in-suite defaults. */
    public record Bounds(long seed, long executions, Duration duration, Duration hangLimit) {
        /**
         * The in-suite bounds ({@code executions} random cases from {@link #DEFAULT_SEED}) unless
         * {@code jvmm.fuzz.duration}, {@code jvmm.fuzz.executions} or {@code jvmm.fuzz.seed} say
         * otherwise.
         */
        public static Bounds fromSystemProperties(long executions) {
            String seed = System.getProperty("jvmm.fuzz.seed", "");
            String dur = System.getProperty("jvmm.fuzz.duration", "");
            String execs = System.getProperty("jvmm.fuzz.executions", "");
            long s = seed.isBlank() ? DEFAULT_SEED : parseLong("jvmm.fuzz.seed", seed);
            Duration d = dur.isBlank() ? null : parseDuration(dur);
            long n = !execs.isBlank() ? parseLong("jvmm.fuzz.executions", execs) : d != null ? Long.MAX_VALUE : executions;
            return new Bounds(s, n, d, Duration.ofSeconds(30));
        }

        private static long parseLong(String property, String v) {
            try {
                return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(property + "=" + v + " is not a number (decimal or 0x hex)");
            }
        }

        static Duration parseDuration(String v) {
            String t = v.strip().toLowerCase(Locale.ROOT);
            long unit = 1;
            if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1);
            } else if (t.endsWith("m")) {
                t = t.substring(0, t.length() - 1);
                unit = 60;
            } else if (t.endsWith("h")) {
                t = t.substring(0, t.length() - 1);
                unit = 3600;
            }
            try {
                long n = Long.parseLong(t);
                if (n <= 0) {
                    throw new NumberFormatException();
                }
                return Duration.ofSeconds(Math.multiplyExact(n, unit));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("jvmm.fuzz.duration=" + v + " is not a positive duration (600, 600s, 10m, 1h)");
            }
        }
    }

    /**
     * Runs the corpus in {@code corpus} (every regular file, sorted by name; a missing directory is
     * an error) and then random cases within {@code bounds}.
     */
    public static <C> Result run(Fuzzer<C> fuzzer, Path corpus, Bounds bounds) {
        List<Path> files = corpusFiles(corpus);
        Path findings = Path.of("target", "fuzz", fuzzer.name());
        Map<String, String> distinct = new LinkedHashMap<>();
        long escapes = 0;
        long hangs = 0;
        long divergences = 0;
        long slowest = 0;
        long executions = 0;
        long t0 = System.nanoTime();
        long deadline = bounds.duration() == null ? Long.MAX_VALUE : t0 + bounds.duration().toNanos();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + fuzzer.name());
            t.setDaemon(true); // a hung case must not keep the JVM alive
            return t;
        });
        Thread[] workerThread = new Thread[1];
        try {
            worker.submit(() -> workerThread[0] = Thread.currentThread()).get();
            SplittableRandom master = new SplittableRandom(bounds.seed());
            int corpusIndex = 0;
            while (true) {
                String origin;
                C c;
                if (corpusIndex < files.size()) {
                    Path f = files.get(corpusIndex++);
                    origin = "corpus file " + f.getFileName();
                    c = fuzzer.parse(read(f));
                } else {
                    if (executions - files.size() >= bounds.executions() || System.nanoTime() >= deadline) {
                        break;
                    }
                    long caseSeed = master.nextLong();
                    origin = "case seed 0x" + Long.toHexString(caseSeed);
                    c = fuzzer.generate(new SplittableRandom(caseSeed));
                }
                executions++;
                C input = c;
                Future<?> f = worker.submit(() -> {
                    fuzzer.execute(input);
                    return null;
                });
                Throwable escape;
                boolean hung = false;
                long c0 = System.nanoTime();
                try {
                    f.get(bounds.hangLimit().toMillis(), TimeUnit.MILLISECONDS);
                    slowest = Math.max(slowest, System.nanoTime() - c0);
                    continue;
                } catch (ExecutionException e) {
                    escape = e.getCause();
                } catch (TimeoutException e) {
                    hung = true;
                    escape = new AssertionError("hang: the case did not finish within " + bounds.hangLimit().toSeconds()
                            + " s; the worker was at:");
                    escape.setStackTrace(workerThread[0].getStackTrace());
                }
                escapes++;
                if (escape instanceof Divergence) {
                    divergences++;
                }
                String key = hung ? "hang" : signature(escape);
                if (!distinct.containsKey(key) && distinct.size() < KEPT_ESCAPES) {
                    distinct.put(key, save(findings, distinct.size(), fuzzer.render(input), origin, escape));
                }
                if (hung) {
                    hangs++;
                    f.cancel(true);
                    break; // the worker still holds the target: nothing more can run on it
                }
            }
            if (hangs == 0) {
                worker.submit(fuzzer::close).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("fuzz " + fuzzer.name() + " interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("fuzz " + fuzzer.name() + ": closing the target failed", e.getCause());
        } finally {
            worker.shutdownNow();
        }
        Result r = new Result(fuzzer.name(), bounds.seed(), files.size(), executions, escapes, hangs,
                divergences, Duration.ofNanos(System.nanoTime() - t0), Duration.ofNanos(slowest), hangs == 0 ? fuzzer.stats() : "", new ArrayList<>(distinct.values()));
        System.out.println(r.summary());
        try {
            Files.createDirectories(findings.getParent());
            Files.writeString(findings.getParent().resolve(fuzzer.name() + ".summary"), r.report() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("fuzz " + fuzzer.name() + ": cannot write the summary", e);
        }
        return r;
    }

    /** Exception class and the first frame of project code: one bug, however often it is hit. */
    private static String signature(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String where = "";
        for (StackTraceElement e : root.getStackTrace()) {
            if (e.getClassName().startsWith("org.jvmm.") && !e.getClassName().startsWith("org.jvmm.fuzz.")) {
                where = e.getClassName() + "." + e.getMethodName() + ":" + e.getLineNumber();
                break;
            }
        }
        return root.getClass().getName() + "@" + where;
    }

    private static String save(Path dir, int k, byte[] input, String origin, Throwable escape) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        escape.printStackTrace(pw);
        pw.flush();
        String trace = sw.toString();
        if (trace.length() > 6000) {
            trace = trace.substring(0, 6000) + "\n\t... (" + trace.length() + " chars; full trace in the findings directory)";
        }
        Path in = dir.resolve("escape-" + k + ".case");
        try {
            Files.createDirectories(dir);
            Files.write(in, input);
            Files.writeString(dir.resolve("escape-" + k + ".trace"), origin + "\n" + sw);
        } catch (IOException e) {
            throw new UncheckedIOException("fuzz: cannot write " + in, e);
        }
        return origin + " (input saved as " + in + "):\n" + trace;
    }

    private static List<Path> corpusFiles(Path corpus) {
        if (!Files.isDirectory(corpus)) {
            throw new IllegalArgumentException("fuzz corpus directory " + corpus.toAbsolutePath() + " does not exist");
        }
        try (Stream<Path> s = Files.list(corpus)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("fuzz: cannot list " + corpus, e);
        }
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException("fuzz: cannot read " + f, e);
        }
    }

    /** Text of a corpus file, for the text-based fuzzers. */
    public static String text(byte[] file) {
        return new String(file, StandardCharsets.UTF_8);
    }
}
