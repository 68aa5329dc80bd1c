package org.jvmm.bench.spapr;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * H_PUT_TCE calls per second issued by guest code in a loop (tce.c: {@code sc 1} from C, 17
 * instructions a call) on a soft vCPU with the PPC64 CPU ({@link PutTceLoopMachine}):
 * <ul>
 * <li>{@link #fastPath}: to a LIOBN whose KVM TCE table is linked to the VFIO group; the soft VM's
 * in-bridge path validates each call, exchanges the hardware TCE (pre-registered memory lookup)
 * and writes the guest view, with no exit;</li>
 * <li>{@link #exitPath}: to a LIOBN KVM does not know; every call leaves {@code Vcpu.run()} as a
 * PAPR_HCALL exit, a minimal VMM answers H_SUCCESS and runs the vCPU again.</li>
 * </ul>
 * Each invocation is one guest batch of {@link #CALLS} calls, so ops/s are calls/s. The ratio of
 * the two is the in-bridge path's gain here. Read it with two facts in mind: a soft exit is a Java
 * return from {@code Vcpu.run()}, not a kernel crossing (a real KVM exit round trip costs about
 * 8 us on this project's machines, see KvmExitRoundTrip), and the exit path's VMM does no TCE work
 * while the fast path does all of it. The CPU's share alone (no TCE work) is
 * {@code org.jvmm.bench.ppc.PpcHypercallBenchmark}, a reference to run in the same JMH run:
 * {@code ./bench 'PutTceGuestLoopBenchmark|PpcHypercallBenchmark' -f 1 -wi 3 -i 5 -w 2 -r 2}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PutTceGuestLoopBenchmark {
    static final int CALLS = 10_000;

    /** A machine whose guest calls the linked LIOBN. */
    @State(Scope.Thread)
    public static class Linked {
        PutTceLoopMachine machine;

        @Setup(Level.Trial)
        public void setUp() {
            machine = new PutTceLoopMachine();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (machine.tce(CALLS - 1) != ((0x200000 + 0x1000L * ((CALLS - 1) % 256)) | 3)) {
                throw new IllegalStateException("the linked table does not hold the guest's last TCE");
            }
            machine.close();
        }
    }

    /** A machine whose guest calls a LIOBN with no KVM table. */
    @State(Scope.Thread)
    public static class Unknown {
        PutTceLoopMachine machine;

        @Setup(Level.Trial)
        public void setUp() {
            machine = new PutTceLoopMachine();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            machine.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long fastPath(Linked s) {
        long exits = s.machine.batch(PutTceLoopMachine.LINKED_LIOBN, CALLS);
        if (exits != 1) {
            throw new IllegalStateException("fast path: " + exits + " exits for one batch, 1 (the report) expected");
        }
        return exits;
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long exitPath(Unknown s) {
        long exits = s.machine.batch(PutTceLoopMachine.UNKNOWN_LIOBN, CALLS);
        if (exits != CALLS + 1) {
            throw new IllegalStateException("exit path: " + exits + " exits for one batch, " + (CALLS + 1) + " expected");
        }
        return exits;
    }
}
