package org.jvmm.bench.ppc;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * One suite kernel's rate on the soft CPU's translated tier, in guest instructions per second of
 * the running thread's CPU time (so time the thread spends descheduled does not count): calls for
 * WARM seconds of CPU time, then WINDOWS windows of WINDOW seconds each (0.5 by default). Prints one
 * line, {@code kernel=K median=M best=B windows=[...]} in G instr/s. benchmarks/ppc-pairwise.sh runs
 * two builds of it at once, one per CPU.
 *
 * <p>Args: KERNEL WARM WINDOWS [WINDOW].
 */
public final class PpcSuiteRate {
    private PpcSuiteRate() {
    }

    /** The line's figures: per-window rates in instructions per second, their median and best. */
    record Rate(String kernel, double[] windows, double median, double best) {
        String line() {
            StringBuilder w = new StringBuilder();
            for (double v : windows) {
                w.append(w.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v / 1e9));
            }
            return String.format(Locale.ROOT, "kernel=%s median=%.3f best=%.3f windows=[%s]", kernel, median / 1e9,
                    best / 1e9, w);
        }
    }

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4) {
            throw new IllegalArgumentException("PpcSuiteRate: usage KERNEL WARM WINDOWS [WINDOW], kernels "
                    + SuiteGuest.KERNELS + "; got " + Arrays.toString(args));
        }
        double window = args.length == 4 ? seconds("WINDOW", args[3]) : 0.5;
        System.out.println(measure(args[0], seconds("WARM", args[1]), Integer.parseInt(args[2]), window).line());
    }

    private static double seconds(String what, String v) {
        double s = Double.parseDouble(v);
        if (!(s >= 0)) {
            throw new IllegalArgumentException("PpcSuiteRate: " + what + " " + v + " is not a number of seconds >= 0");
        }
        return s;
    }

    static Rate measure(String kernel, double warm, int windows, double window) {
        if (windows < 1) {
            throw new IllegalArgumentException("PpcSuiteRate: WINDOWS " + windows + " must be at least 1");
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (SuiteGuest g = new SuiteGuest(kernel)) {
            long t0 = mx.getCurrentThreadCpuTime();
            while (mx.getCurrentThreadCpuTime() - t0 < warm * 1e9) {
                g.runCalls(g.calls + 1);
            }
            double[] r = new double[windows];
            for (int k = 0; k < windows; k++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long i0 = g.cpu.retiredInstructions();
                long c;
                do {
                    g.runCalls(g.calls + 1);
                    c = mx.getCurrentThreadCpuTime();
                } while (c - c0 < window * 1e9);
                r[k] = (g.cpu.retiredInstructions() - i0) / ((c - c0) / 1e9);
            }
            return new Rate(kernel, r, PpcSuiteVsQemu.median(r), Arrays.stream(r).max().orElseThrow());
        }
    }
}
