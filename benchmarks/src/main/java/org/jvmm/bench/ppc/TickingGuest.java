package org.jvmm.bench.ppc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.soft.ppc.HypercallHandler;
import org.jvmm.kvm.soft.ppc.MmioHandler;
import org.jvmm.kvm.soft.ppc.PpcCpu;

/**
 * A benchmark guest image (built by build.sh) loaded into 16 MiB of guest RAM on a little-endian
 * soft PPC64 CPU, starting at 0. The guest calls its kernel forever and reports with H_BENCH_TICK
 * (0xF002, r4 = calls so far, r5 = the last result), which this harness handles on the hypercall
 * fast path; any other hypercall exits to the caller. Confined to one thread; close to free the RAM.
 */
abstract class TickingGuest implements AutoCloseable {
    static final long H_BENCH_TICK = 0xF002;

    private final Arena arena = Arena.ofConfined();
    final PpcCpu cpu;
    /** The calls the last tick reported (-1 before the first tick). */
    long calls = -1;
    /** The result the last tick reported. */
    long result;
    /** Retired-instruction count at the first tick. */
    long retiredAtFirstTick = -1;
    long retiredAtLastTick;
    /** When calls reaches this, the tick exits to the caller instead of continuing. */
    long exitAtCall = Long.MAX_VALUE;

    TickingGuest(String image) {
        MemorySegment ram = RealModeImage.ram(arena, image);
        cpu = new PpcCpu(ram, MmioHandler.EXIT_ALWAYS, this::hypercall, true);
        cpu.setPc(new GuestAddress(0));
    }

    private HypercallHandler.Outcome hypercall(PpcCpu c) {
        if (c.gpr(3) != H_BENCH_TICK) {
            return HypercallHandler.Outcome.EXIT_TO_VMM;
        }
        calls = c.gpr(4);
        result = c.gpr(5);
        retiredAtLastTick = c.retiredInstructions();
        if (retiredAtFirstTick < 0) {
            retiredAtFirstTick = retiredAtLastTick;
        }
        c.setGpr(3, 0);
        return calls >= exitAtCall ? HypercallHandler.Outcome.EXIT_TO_VMM : HypercallHandler.Outcome.HANDLED;
    }

    @Override
    public void close() {
        arena.close();
    }
}
