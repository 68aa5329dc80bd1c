package org.jvmm.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.junit.jupiter.api.Test;

/** A PAPR_HCALL exit reaching the dispatcher of a machine with no PAPR layer: H_FUNCTION, counted, and the vCPU goes on. */
class PaprHcallWithoutAPaprLayerIsHFunction {

    @Test
    void answeredHFunctionAndCounted() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(VcpuExit.PaprHcall.SLOTS * 8L, 8);
            VcpuExit.PaprHcall exit = new VcpuExit.PaprHcall(0x58, List.of(0L, 1L, 0x41L << 56), data);
            ExitDispatcher.Peripherals p = new ExitDispatcher.Peripherals(
                    new AddressSpace("memory", new ContainerRegion("root", 1L << 32), ByteOrder.BIG_ENDIAN),
                    new AddressSpace("io", new ContainerRegion("io", 0x10000), ByteOrder.BIG_ENDIAN));
            ExitCounters counters = new ExitCounters();
            assertEquals(ExitAction.CONTINUE, ExitDispatcher.handle(p, exit, counters));
            assertEquals(Papr.H_FUNCTION, exit.status());
            assertEquals(1, counters.count(ExitKind.PAPR_HCALL));
            assertEquals(1, counters.total());
        }
    }
}
