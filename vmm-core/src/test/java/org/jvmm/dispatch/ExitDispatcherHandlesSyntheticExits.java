package org.jvmm.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.x86.X86ToyLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exit handler is a pure function: synthetic exits in, accesses and counts out. */
class ExitDispatcherHandlesSyntheticExits {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final MachineMemory mem = new MachineMemory(new HostMemoryRegistry());
    private final X86ToyLayout layout = X86ToyLayout.build(mem, 16L << 20, console, s -> { });
    private final ExitDispatcher.Peripherals p = new ExitDispatcher.Peripherals(layout.memory(), layout.io());
    private final ExitCounters counters = new ExitCounters();

    @AfterEach
    void release() {
        mem.close();
    }

    private static MemorySegment bytes(int... values) {
        MemorySegment s = MemorySegment.ofArray(new byte[values.length]);
        for (int i = 0; i < values.length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) values[i]);
        }
        return s;
    }

    @Test
    void aStringOutToTheSerialPortPrintsEveryElement() {
        VcpuExit.Io out = new VcpuExit.Io(VcpuExit.Direction.OUT, 0x3f8, 1, 3, bytes('a', 'b', '\n'));
        assertEquals(ExitAction.CONTINUE, ExitDispatcher.handle(p, out, counters));
        assertEquals("ab\n", console.toString(StandardCharsets.US_ASCII));
        assertEquals(1, counters.count(ExitKind.IO));
    }

    @Test
    void anInIsAnsweredInTheExitsData() {
        MemorySegment data = bytes(0);
        ExitDispatcher.handle(p, new VcpuExit.Io(VcpuExit.Direction.IN, 0x3fd, 1, 1, data), counters);
        assertEquals(0x60, data.get(ValueLayout.JAVA_BYTE, 0));
        MemorySegment none = bytes(0, 0);
        ExitDispatcher.handle(p, new VcpuExit.Io(VcpuExit.Direction.IN, 0x80, 2, 1, none), counters);
        assertEquals((short) 0xffff, none.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)); // nothing at port 0x80
    }

    @Test
    void mmioWritesAndReadsGoThroughTheMemorySpaceInGuestByteOrder() {
        ExitDispatcher.handle(p, new VcpuExit.Mmio(new GuestAddress(0x1000), 4, true, bytes(0x44, 0x33, 0x22, 0x11)),
                counters);
        assertEquals(0x11223344L, layout.memory().read(new GuestAddress(0x1000), 4));
        MemorySegment data = bytes(0, 0, 0, 0, 0, 0, 0, 0);
        ExitDispatcher.handle(p, new VcpuExit.Mmio(new GuestAddress(0x1000), 2, false, data), counters);
        assertEquals((short) 0x3344, data.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
        assertEquals(2, counters.count(ExitKind.MMIO));
    }

    @Test
    void haltShutdownAndErrorsStopNamingTheExitWhileAKickContinues() {
        assertInstanceOf(ExitAction.Continue.class, ExitDispatcher.handle(p, new VcpuExit.Interrupted(), counters));
        assertEquals(new ExitAction.Stop("the guest halted"), ExitDispatcher.handle(p, new VcpuExit.Halt(), counters));
        assertEquals(new ExitAction.Stop("the guest shut down (triple fault)"),
                ExitDispatcher.handle(p, new VcpuExit.Shutdown(), counters));
        assertEquals(new ExitAction.Stop("KVM internal error, suberror 1, data [7]"),
                ExitDispatcher.handle(p, new VcpuExit.InternalError(1, List.of(7L)), counters));
        assertEquals(4, counters.total());
        assertEquals(1, counters.count(ExitKind.INTERRUPTED));
    }
}
