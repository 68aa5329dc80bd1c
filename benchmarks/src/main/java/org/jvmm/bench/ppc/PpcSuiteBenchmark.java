package org.jvmm.bench.ppc;

import java.util.concurrent.TimeUnit;
import org.jvmm.kvm.soft.ppc.PpcExit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Guest instructions per second of the soft PPC64 CPU on each kernel of the benchmark suite
 * (src/main/ppc-suite), with and without block translation: each invocation runs exactly
 * {@link #BUDGET} guest instructions, so the reported ops/s are instructions/s. The same kernels'
 * speed beside qemu-ppc64le is measured by benchmarks/ppc-suite-vs-qemu.sh (PpcSuiteVsQemu).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PpcSuiteBenchmark {
    static final long BUDGET = 20_000_000;

    @Param({"crc32", "matmul", "qsort", "memops", "branchy"})
    public String kernel;

    /** "translated": hot blocks become JVM bytecode (the default); "interpreted": the decode-once interpreter only. */
    @Param({"translated", "interpreted"})
    public String tier;

    private SuiteGuest guest;

    @Setup(Level.Trial)
    public void setUp() {
        guest = new SuiteGuest(kernel);
        guest.cpu.setBlockTranslation(tier.equals("translated"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        guest.close();
    }

    @Benchmark
    @OperationsPerInvocation((int) BUDGET)
    public long suiteKernel() {
        PpcExit exit = guest.cpu.run(BUDGET);
        if (!(exit instanceof PpcExit.BudgetExhausted)) {
            throw new IllegalStateException("suite guest stopped with " + exit + " at " + guest.cpu.pc());
        }
        return guest.result;
    }
}
