package org.jvmm.vfio.iommu;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The long model run: {@code ModelRun type1|spapr OPS [SEED]} runs at least OPS operations of
 * the TYPE1 or the sPAPR TCE model test (the same harness and operation generator as the jqwik
 * properties {@link Type1RandomSequencesMatchReferenceModel} and
 * {@link SpaprTceRandomSequencesMatchReferenceModel}), in episodes of a fresh container each,
 * alternating v1 and v2 (and, for sPAPR, a tight and a loose locked-memory limit). Prints the
 * operations run, the divergences (the first ten in full, each with its episode seed), the seed,
 * the time, and how often each operation gave each result. Exit status 1 when anything diverged.
 * Run it with {@code scripts/model-run.sh}.
 */
public final class ModelRun {
    private static final int SPAPR_EPISODE = 200;
    private static final int TYPE1_EPISODE = 80;

    private ModelRun() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3 || !(args[0].equals("type1") || args[0].equals("spapr"))) {
            System.err.println("usage: ModelRun type1|spapr OPS [SEED]");
            System.exit(2);
        }
        boolean spapr = args[0].equals("spapr");
        long ops;
        long seed;
        try {
            ops = Long.parseLong(args[1].replace("_", ""));
            seed = args.length == 3 ? Long.parseLong(args[2]) : System.nanoTime();
        } catch (NumberFormatException e) {
            System.err.println("ModelRun: OPS and SEED must be integers: " + e.getMessage());
            System.exit(2);
            return;
        }
        Random master = new Random(seed);
        Map<String, Long> stats = new TreeMap<>();
        long run = 0;
        long episodes = 0;
        long divergences = 0;
        long start = System.nanoTime();
        long lastReport = start;
        while (run < ops) {
            long episodeSeed = master.nextLong();
            boolean v2 = (episodes & 1) == 0;
            boolean tight = (episodes & 2) == 0;
            Random r = new Random(episodeSeed);
            String divergence = null;
            String where = null;
            if (spapr) {
                SpaprModelHarness h = new SpaprModelHarness(v2, tight ? 8L << 20 : 1L << 30, episodeSeed);
                h.stats = stats;
                for (int i = 0; i < SPAPR_EPISODE && divergence == null; i++, run++) {
                    SpaprModelHarness.Op op = SpaprModelHarness.next(r);
                    divergence = h.step(op);
                    where = "step " + i + " " + op;
                }
                String atClose = h.finish();
                if (divergence == null && atClose != null) {
                    divergence = atClose;
                    where = "close";
                }
            } else {
                Type1ModelHarness h = new Type1ModelHarness(v2);
                h.stats = stats;
                for (int i = 0; i < TYPE1_EPISODE && divergence == null; i++, run++) {
                    Type1ModelHarness.Op op = Type1ModelHarness.next(r);
                    divergence = h.step(op);
                    where = "step " + i + " " + op;
                }
                String atClose = h.finish();
                if (divergence == null && atClose != null) {
                    divergence = atClose;
                    where = "close";
                }
            }
            if (divergence != null) {
                divergences++;
                if (divergences <= 10) {
                    System.out.println("DIVERGENCE episode " + episodes + " (episode seed " + episodeSeed + ", " + (v2 ? "v2" : "v1")
                            + (spapr ? (tight ? ", tight memlock" : ", loose memlock") : "") + ") at " + where + ": " + divergence);
                }
            }
            episodes++;
            long now = System.nanoTime();
            if (now - lastReport > 30_000_000_000L) {
                System.out.printf("... %,d operations, %d divergences, %.0f s%n", run, divergences, (now - start) / 1e9);
                lastReport = now;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println("outcomes:");
        stats.forEach((k, v) -> System.out.printf("  %-34s %,d%n", k, v));
        System.out.printf("model=%s operations=%d episodes=%d divergences=%d seed=%d time=%.1fs%n", args[0], run, episodes, divergences,
                seed, seconds);
        System.exit(divergences == 0 ? 0 : 1);
    }
}
