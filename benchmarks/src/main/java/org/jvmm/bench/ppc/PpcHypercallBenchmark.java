package org.jvmm.bench.ppc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.soft.ppc.HypercallHandler;
import org.jvmm.kvm.soft.ppc.MmioHandler;
import org.jvmm.kvm.soft.ppc.PpcCpu;
import org.jvmm.kvm.soft.ppc.PpcExit;
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
 * Hypercalls per second at the CPU's hook, for a guest loop "li r3,0x20 (H_PUT_TCE); sc 1; b":
 * handled in place by the {@link HypercallHandler} (the fast path a soft KVM will use), and sent
 * out as {@link PpcExit.Hypercall} with the "VMM" answering and running the CPU again (the exit
 * path). The H_PUT_TCE work itself arrives with the soft backend; this is the CPU's share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PpcHypercallBenchmark {
    private static final int CALLS = 100_000;
    private static final long H_PUT_TCE = 0x20;

    private Arena arena;
    private PpcCpu fast;
    private PpcCpu exiting;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        fast = cpu(c -> {
            c.setGpr(3, 0);
            return HypercallHandler.Outcome.HANDLED;
        });
        exiting = cpu(HypercallHandler.EXIT_ALWAYS);
    }

    private PpcCpu cpu(HypercallHandler handler) {
        MemorySegment ram = arena.allocate(1 << 16, 4096);
        ValueLayout.OfInt w = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ram.set(w, 0x100, 0x38600000 | (int) H_PUT_TCE); // li r3,0x20
        ram.set(w, 0x104, 0x44000022);                   // sc 1
        ram.set(w, 0x108, 0x4BFFFFF8);                   // b 0x100
        PpcCpu cpu = new PpcCpu(ram, MmioHandler.EXIT_ALWAYS, handler, true);
        cpu.setPc(new GuestAddress(0x100));
        return cpu;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long fastPath() {
        PpcExit e = fast.run(3L * CALLS);
        if (!(e instanceof PpcExit.BudgetExhausted)) {
            throw new IllegalStateException("fast-path loop stopped with " + e);
        }
        return fast.gpr(3);
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long exitPath() {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            PpcExit e = exiting.run(Long.MAX_VALUE);
            if (!(e instanceof PpcExit.Hypercall h) || h.opcode() != H_PUT_TCE) {
                throw new IllegalStateException("exit-path loop stopped with " + e);
            }
            exiting.setGpr(3, 0); // H_SUCCESS from the VMM
            sum += i;
        }
        return sum;
    }
}
