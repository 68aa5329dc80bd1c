package org.jvmm.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MmioOps;
import org.jvmm.memory.MmioRegion;

/**
 * The last-resort guard: when the VMM's own handling of an exit throws (a bug, not a guest
 * error), the dispatcher does not swallow it: it rethrows an {@link ExitHandlingFailure} whose
 * message names the exit and the region it reached, with the original as the cause.
 */
@DisplayName("an exception from a device model surfaces as ExitHandlingFailure naming the exit and the region")
class AFailingExitHandlerStopsNamingTheExit {
    private final IndexOutOfBoundsException bug = new IndexOutOfBoundsException("index 9 out of bounds for length 4");

    private ExitDispatcher.Peripherals peripherals() {
        ContainerRegion root = new ContainerRegion("root", 1L << 32);
        root.addSubregion(0x1000, new MmioRegion("broken-dev", 0x100, new MmioOps() {
            @Override
            public long read(long offset, int size) {
                throw bug;
            }

            @Override
            public void write(long offset, int size, long value) {
                throw bug;
            }
        }));
        ContainerRegion ioRoot = new ContainerRegion("io", 0x10000);
        return new ExitDispatcher.Peripherals(new AddressSpace("memory", root, ByteOrder.LITTLE_ENDIAN),
                new AddressSpace("io", ioRoot, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void anMmioWriteThatThrowsIsRethrownNamingTheAccessAndTheRegion() {
        ExitCounters counters = new ExitCounters();
        ExitHandlingFailure e = assertThrows(ExitHandlingFailure.class, () -> ExitDispatcher.handle(peripherals(),
                new VcpuExit.Mmio(new GuestAddress(0x1098), 8, true, MemorySegment.ofArray(new byte[8])), counters));
        assertEquals("internal error in the VMM while handling an MMIO write of 8 bytes at " + new GuestAddress(0x1098)
                + " (region broken-dev): java.lang.IndexOutOfBoundsException: index 9 out of bounds for length 4", e.getMessage());
        assertSame(bug, e.getCause());
        assertEquals(0, counters.count(ExitKind.MMIO), "a failed exit is not counted as handled");
    }

    @Test
    void aHypercallHandlerThatThrowsIsRethrownNamingTheCallAndItsArguments() {
        HypercallTable table = h -> {
            throw bug;
        };
        ExitHandlingFailure e = assertThrows(ExitHandlingFailure.class, () -> ExitDispatcher.handle(peripherals(), table,
                new VcpuExit.PaprHcall(0x20, List.of(0x8000_0000L, 0x8000_0000_0000_0000L), MemorySegment.ofArray(new long[10])),
                new ExitCounters()));
        assertEquals("internal error in the VMM while handling hypercall 0x20 with arguments [0x80000000, 0x8000000000000000]: "
                + "java.lang.IndexOutOfBoundsException: index 9 out of bounds for length 4", e.getMessage());
    }
}
