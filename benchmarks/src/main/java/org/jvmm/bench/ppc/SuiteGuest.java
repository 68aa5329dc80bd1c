package org.jvmm.bench.ppc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.soft.ppc.HypercallHandler;
import org.jvmm.kvm.soft.ppc.MmioHandler;
import org.jvmm.kvm.soft.ppc.PpcCpu;
import org.jvmm.kvm.soft.ppc.PpcExit;

/**
 * The benchmark suite guest (src/main/ppc-suite, built by build.sh) loaded into 16 MiB of guest RAM
 * on a soft PPC64 CPU, with r3 selecting one kernel. The guest calls that kernel forever, each call
 * on the previous call's result, and reports with H_BENCH_TICK (0xF002, r4 = calls so far, r5 =
 * result) once before the first call and after every call; this harness handles the tick on the
 * hypercall fast path. Confined to one thread; close to free the RAM.
 */
final class SuiteGuest implements AutoCloseable {
    /** The kernels by number, as in suite.h; the Linux binary takes the same names. */
    static final List<String> KERNELS = List.of("crc32", "matmul", "qsort", "memops", "branchy");
    static final long H_BENCH_TICK = 0xF002;

    private final Arena arena = Arena.ofConfined();
    final PpcCpu cpu;
    long calls = -1;
    long result;
    /** Retired-instruction count at the tick before the first call. */
    long retiredAtStart = -1;
    long retiredAtLastTick;
    /** When calls reaches this, the tick exits to the caller instead of continuing. */
    long exitAtCall = Long.MAX_VALUE;

    SuiteGuest(String kernel) {
        int which = KERNELS.indexOf(kernel);
        if (which < 0) {
            throw new IllegalArgumentException("SuiteGuest: unknown kernel '" + kernel + "' (one of " + KERNELS + ")");
        }
        MemorySegment ram = RealModeImage.ram(arena, "/ppc/suite-guest-le.bin");
        cpu = new PpcCpu(ram, MmioHandler.EXIT_ALWAYS, this::hypercall, true);
        cpu.setPc(new GuestAddress(0));
        cpu.setGpr(3, which);
    }

    private HypercallHandler.Outcome hypercall(PpcCpu c) {
        if (c.gpr(3) != H_BENCH_TICK) {
            return HypercallHandler.Outcome.EXIT_TO_VMM;
        }
        calls = c.gpr(4);
        result = c.gpr(5);
        retiredAtLastTick = c.retiredInstructions();
        if (retiredAtStart < 0) {
            retiredAtStart = retiredAtLastTick;
        }
        c.setGpr(3, 0);
        return calls >= exitAtCall ? HypercallHandler.Outcome.EXIT_TO_VMM : HypercallHandler.Outcome.HANDLED;
    }

    /**
     * Runs the guest until {@code n} kernel calls are done and returns the last result; the guest
     * instructions they took are {@link #retiredAtLastTick} - {@link #retiredAtStart}.
     */
    long runCalls(long n) {
        exitAtCall = n;
        PpcExit e = cpu.run(Long.MAX_VALUE);
        if (!(e instanceof PpcExit.Hypercall) || calls != n) {
            throw new IllegalStateException("suite guest stopped with " + e + " after " + calls + " calls, at "
                    + cpu.pc());
        }
        return result;
    }

    @Override
    public void close() {
        arena.close();
    }
}
