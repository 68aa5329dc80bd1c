package org.jvmm.bench.ppc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.soft.ppc.HypercallHandler;
import org.jvmm.kvm.soft.ppc.MmioHandler;
import org.jvmm.kvm.soft.ppc.PpcCpu;

/**
 * The CRC32 benchmark guest (src/main/ppc-kernel, built by build.sh) loaded into 16 MiB of guest
 * RAM on a soft PPC64 CPU. The guest calls the kernel forever and reports each call with
 * H_BENCH_TICK (0xF002), which this harness handles on the hypercall fast path. Confined to one
 * thread; close to free the RAM.
 */
final class CrcGuest implements AutoCloseable {
    static final long H_BENCH_TICK = 0xF002;

    private final Arena arena = Arena.ofConfined();
    final PpcCpu cpu;
    long calls;
    long crc;
    long retiredAtLastTick;
    long retiredAtFirstTick = -1;
    /** When calls reaches this, the tick exits to the caller instead of continuing. */
    long exitAtCall = Long.MAX_VALUE;

    CrcGuest() {
        MemorySegment ram = RealModeImage.ram(arena, "/ppc/crc-guest-le.bin");
        cpu = new PpcCpu(ram, MmioHandler.EXIT_ALWAYS, this::hypercall, true);
        cpu.setPc(new GuestAddress(0));
    }

    private HypercallHandler.Outcome hypercall(PpcCpu c) {
        if (c.gpr(3) != H_BENCH_TICK) {
            return HypercallHandler.Outcome.EXIT_TO_VMM;
        }
        calls = c.gpr(4);
        crc = c.gpr(5);
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
