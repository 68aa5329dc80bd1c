package org.jvmm.bench.ppc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soft PPC64 CPU against qemu-ppc64le on the benchmark suite, measured side by side so that
 * both see the same machine: on a shared host the speed of a core moves by up to 2x from one
 * second to the next, which makes a soft-CPU figure taken a minute before a QEMU figure (as a JMH
 * run followed by QEMU runs does) a comparison of two machine states.
 *
 * <p>Per kernel: the soft CPU runs CALLS calls (their instruction count turns QEMU's time for the
 * same calls into instructions per second, their last result must equal QEMU's), then warms up
 * for WARM seconds. Then ROUNDS times: qemu-ppc64le runs the static binary for CALLS calls, timed
 * by the binary's own clock, and while it runs (on the other core) the soft CPU runs calls, timed
 * in wall time from QEMU's start to its exit. Each round gives a ratio; the kernel's figure is the
 * median round, and beside it the geometric mean of the rounds (x(geo)): where one CPU is slower
 * than the other for a kernel, the rounds split into two groups by which side had it, and with an
 * odd number of rounds the median falls in the larger group, while the geometric mean of an even
 * number of rounds weighs both assignments alike. The interpreted tier (a fresh guest, warmed up
 * for at most 3 s) is measured the same way over at most 3 rounds. Prints a line per kernel and
 * the geometric means.
 *
 * <p>Where the process may run on two CPUs or more and {@code taskset} (util-linux) is there, each
 * round pins the whole JVM to one of the first two CPUs it may use and QEMU to the other, and the
 * next round swaps them ({@link Pinning}): neither side gets the faster core for the whole run, and
 * neither shares its core with the other's threads (the JVM's compiler and GC threads stay with the
 * soft CPU). Otherwise the rounds run unpinned and the header says why.
 *
 * <p>Args: QEMU BINARY CALLS ROUNDS WARM [KERNEL...] (all kernels if none).
 */
public final class PpcSuiteVsQemu {
    private static final Pattern QEMU_LINE = Pattern.compile("result=(0x[0-9a-f]+) ns=([0-9]+)");

    private PpcSuiteVsQemu() {
    }

    /** One kernel's figures: medians of the rounds, and the geometric mean of the rounds' ratios. */
    record Figures(String kernel, long insnsPerCall, double soft, double interpreted, double qemu, double ratio,
            double minRatio, double maxRatio, double interpretedRatio, double geoRatio) {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 5) {
            throw new IllegalArgumentException(
                    "PpcSuiteVsQemu: usage QEMU BINARY CALLS ROUNDS WARM [KERNEL...], kernels " + SuiteGuest.KERNELS);
        }
        String qemu = args[0];
        String binary = args[1];
        long calls = positive("CALLS", Long.parseLong(args[2]));
        int rounds = (int) positive("ROUNDS", Integer.parseInt(args[3]));
        double warm = Double.parseDouble(args[4]);
        List<String> kernels = args.length > 5 ? List.of(args).subList(5, args.length) : SuiteGuest.KERNELS;
        Pinning pinning = Pinning.detect();
        System.out.println(pinning.describe());
        System.out.printf(Locale.ROOT, "%-8s %10s %12s %12s %12s %8s %14s %8s %8s%n", "kernel", "insns/call",
                "soft G/s", "interp G/s", "qemu G/s", "x(tr)", "rounds min-max", "x(int)", "x(geo)");
        double logTr = 0;
        double logInt = 0;
        double logGeo = 0;
        for (String k : kernels) {
            Figures f = measure(qemu, binary, k, calls, rounds, warm, pinning);
            System.out.printf(Locale.ROOT, "%-8s %10d %12.3f %12.4f %12.3f %8.2f %6.2f-%-7.2f %8.3f %8.2f%n", k,
                    f.insnsPerCall(), f.soft() / 1e9, f.interpreted() / 1e9, f.qemu() / 1e9, f.ratio(), f.minRatio(),
                    f.maxRatio(), f.interpretedRatio(), f.geoRatio());
            logTr += Math.log(f.ratio());
            logInt += Math.log(f.interpretedRatio());
            logGeo += Math.log(f.geoRatio());
        }
        System.out.printf(Locale.ROOT, "geometric mean soft/qemu: translated %.2fx, interpreted %.3fx (%d kernels)%n",
                Math.exp(logTr / kernels.size()), Math.exp(logInt / kernels.size()), kernels.size());
        System.out.printf(Locale.ROOT, "geometric mean soft/qemu of the rounds' geometric means: translated %.2fx%n",
                Math.exp(logGeo / kernels.size()));
    }

    private static long positive(String what, long v) {
        if (v < 1) {
            throw new IllegalArgumentException("PpcSuiteVsQemu: " + what + " " + v + " must be at least 1");
        }
        return v;
    }

    static Figures measure(String qemu, String binary, String kernel, long calls, int rounds, double warm)
            throws IOException, InterruptedException {
        return measure(qemu, binary, kernel, calls, rounds, warm, Pinning.none("not asked"));
    }

    static Figures measure(String qemu, String binary, String kernel, long calls, int rounds, double warm,
            Pinning pinning) throws IOException, InterruptedException {
        long insns;
        long result;
        double[][] translated;
        try (SuiteGuest g = new SuiteGuest(kernel)) {
            result = g.runCalls(calls);
            insns = g.retiredAtLastTick - g.retiredAtFirstTick;
            warmUp(g, warm);
            translated = sideBySide(g, rounds, qemu, binary, kernel, calls, insns, result, pinning);
        }
        double[][] interpreted;
        try (SuiteGuest g = new SuiteGuest(kernel)) {
            g.cpu.setBlockTranslation(false);
            warmUp(g, Math.min(warm, 3));
            interpreted = sideBySide(g, Math.min(rounds, 3), qemu, binary, kernel, calls, insns, result, pinning);
        }
        double[] sortedRatio = translated[2].clone();
        Arrays.sort(sortedRatio);
        return new Figures(kernel, insns / calls, median(translated[0]), median(interpreted[0]), median(translated[1]),
                median(translated[2]), sortedRatio[0], sortedRatio[rounds - 1], median(interpreted[2]),
                geometricMean(translated[2]));
    }

    static double geometricMean(double[] v) {
        double log = 0;
        for (double x : v) {
            log += Math.log(x);
        }
        return Math.exp(log / v.length);
    }

    private static void warmUp(SuiteGuest g, double seconds) {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < until) {
            g.runCalls(g.calls + 1);
        }
    }

    /**
     * ROUNDS times, QEMU's run of CALLS calls with the soft CPU running calls until QEMU exits:
     * per round the soft rate, QEMU's rate and their ratio (rows 0, 1 and 2). Round k runs on the
     * cores {@code pinning} gives it; all cores are given back after the last round.
     */
    private static double[][] sideBySide(SuiteGuest g, int rounds, String qemu, String binary, String kernel,
            long calls, long insns, long result, Pinning pinning) throws IOException, InterruptedException {
        double[][] r = new double[3][rounds];
        try {
            for (int k = 0; k < rounds; k++) {
                pinning.pinSelf(k);
                long i0 = g.cpu.retiredInstructions();
                long t0 = System.nanoTime();
                Process p = startQemu(pinning.qemuPrefix(k), qemu, binary, kernel, calls);
                do {
                    g.runCalls(g.calls + 1);
                } while (p.isAlive());
                long t = System.nanoTime();
                r[0][k] = (g.cpu.retiredInstructions() - i0) / ((t - t0) / 1e9);
                r[1][k] = insns / (qemuNanos(p, kernel, calls, result) / 1e9);
                r[2][k] = r[0][k] / r[1][k];
            }
        } finally {
            pinning.release();
        }
        return r;
    }

    /** The median of {@code v} (the mean of the middle two for an even count); {@code v} is not changed. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static Process startQemu(List<String> prefix, String qemu, String binary, String kernel, long calls)
            throws IOException {
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(List.of(qemu, binary, kernel, Long.toString(calls)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Waits for QEMU's run, checks its result against the soft CPU's, returns its time. */
    private static long qemuNanos(Process p, String kernel, long calls, long expected)
            throws IOException, InterruptedException {
        String cmd = p.info().commandLine().orElse("qemu-ppc64le");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        Matcher m = QEMU_LINE.matcher(out);
        if (status != 0 || !m.find()) {
            throw new IllegalStateException("PpcSuiteVsQemu: " + cmd + " exited " + status
                    + " with: " + out.strip());
        }
        long result = Long.parseUnsignedLong(m.group(1).substring(2), 16);
        if (result != expected) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "PpcSuiteVsQemu: %s after %d calls: qemu-ppc64le result 0x%016x, soft CPU 0x%016x", kernel, calls,
                    result, expected));
        }
        return Long.parseLong(m.group(2));
    }

    /**
     * Which cores a round runs on: with CPUs {@code a} and {@code b}, round k pins this JVM (every
     * thread) to a and QEMU to b when k is even, the other way round when k is odd. {@code none}
     * pins nothing.
     */
    record Pinning(int a, int b, String all, String reason) {
        static Pinning none(String reason) {
            return new Pinning(-1, -1, null, reason);
        }

        /** Two CPUs of this process's allowed set and a working taskset, else none with the reason. */
        static Pinning detect() {
            String list;
            try {
                list = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                        .filter(l -> l.startsWith("Cpus_allowed_list:")).map(l -> l.substring(18).strip()).findFirst()
                        .orElse("");
            } catch (IOException | RuntimeException e) {
                return none("no /proc/self/status (" + e.getMessage() + ")");
            }
            List<Integer> cpus = cpuList(list);
            if (cpus.size() < 2) {
                return none("this process may run on CPUs '" + list + "' only");
            }
            try {
                Process p = new ProcessBuilder("taskset", "-p", Long.toString(ProcessHandle.current().pid()))
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() != 0) {
                    return none("taskset -p exited " + p.exitValue());
                }
            } catch (IOException e) {
                return none("no taskset (Debian package util-linux)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return none("interrupted");
            }
            return new Pinning(cpus.get(0), cpus.get(1), list, null);
        }

        /** The CPUs of a list such as "0-3,6" (as in /proc/self/status), in order; empty if malformed. */
        static List<Integer> cpuList(String list) {
            List<Integer> out = new java.util.ArrayList<>();
            try {
                for (String part : list.split(",")) {
                    String[] ends = part.strip().split("-");
                    int lo = Integer.parseInt(ends[0].strip());
                    int hi = ends.length > 1 ? Integer.parseInt(ends[1].strip()) : lo;
                    for (int c = lo; c <= hi; c++) {
                        out.add(c);
                    }
                }
            } catch (NumberFormatException e) {
                return List.of();
            }
            return out;
        }

        boolean pins() {
            return a >= 0;
        }

        String describe() {
            return pins() ? "pinned: each round the soft CPU's JVM on CPU " + a + " and QEMU on CPU " + b
                    + ", swapped the next round" : "not pinned: " + reason;
        }

        int softCore(int round) {
            return round % 2 == 0 ? a : b;
        }

        List<String> qemuPrefix(int round) {
            return pins() ? List.of("taskset", "-c", Integer.toString(round % 2 == 0 ? b : a)) : List.of();
        }

        void pinSelf(int round) throws IOException, InterruptedException {
            if (pins()) {
                taskset(Integer.toString(softCore(round)));
            }
        }

        /** Lets the JVM run on every CPU it was allowed at the start again. */
        void release() throws IOException, InterruptedException {
            if (pins()) {
                taskset(all);
            }
        }

        private static void taskset(String cpus) throws IOException, InterruptedException {
            String pid = Long.toString(ProcessHandle.current().pid());
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, pid).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("PpcSuiteVsQemu: taskset -a -p -c " + cpus + " " + pid + " exited "
                        + p.exitValue() + ": " + out.strip());
            }
        }
    }
}
