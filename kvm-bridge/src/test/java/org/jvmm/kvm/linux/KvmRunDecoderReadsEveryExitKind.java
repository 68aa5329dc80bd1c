package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.VcpuExit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Synthetic struct kvm_run areas, laid out as include/uapi/linux/kvm.h says, decode into the
 * matching {@link VcpuExit} record, including the kinds a toy guest cannot provoke here
 * (FAIL_ENTRY, SYSTEM_EVENT, unknown reasons).
 */
class KvmRunDecoderReadsEveryExitKind {
    private Arena arena;
    private MemorySegment run;

    @BeforeEach
    void runArea() {
        arena = Arena.ofConfined();
        run = arena.allocate(3 * 4096, 8); // KVM maps the run area as several pages; I/O data sits on page 1
    }

    @AfterEach
    void close() {
        arena.close();
    }

    private void reason(int r) {
        run.set(ValueLayout.JAVA_INT, 8, r);
    }

    @Test
    void ioOutWithDataAtDataOffset() {
        reason(2);
        run.set(ValueLayout.JAVA_BYTE, 32, (byte) 1); // out
        run.set(ValueLayout.JAVA_BYTE, 33, (byte) 2); // size
        run.set(ValueLayout.JAVA_SHORT, 34, (short) 0xcf8);
        run.set(ValueLayout.JAVA_INT, 36, 3); // count
        run.set(ValueLayout.JAVA_LONG, 40, 0x1000); // data_offset
        run.set(ValueLayout.JAVA_SHORT, 0x1000, (short) 0x1234);
        VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, KvmRunDecoder.decode(run));
        assertEquals(VcpuExit.Direction.OUT, io.direction());
        assertEquals(0xcf8, io.port());
        assertEquals(2, io.size());
        assertEquals(3, io.count());
        assertEquals(6, io.data().byteSize());
        assertEquals(0x1234, io.value());
        assertEquals(run.address() + 0x1000, io.data().address());
    }

    @Test
    void ioInAnswerLandsInTheRunArea() {
        reason(2);
        run.set(ValueLayout.JAVA_BYTE, 32, (byte) 0); // in
        run.set(ValueLayout.JAVA_BYTE, 33, (byte) 1);
        run.set(ValueLayout.JAVA_SHORT, 34, (short) 0x3fd);
        run.set(ValueLayout.JAVA_INT, 36, 1);
        run.set(ValueLayout.JAVA_LONG, 40, 0x1000);
        VcpuExit.Io io = (VcpuExit.Io) KvmRunDecoder.decode(run);
        io.respond(0x60);
        assertEquals(VcpuExit.Direction.IN, io.direction());
        assertEquals(0x60, run.get(ValueLayout.JAVA_BYTE, 0x1000));
    }

    @Test
    void mmioWrite() {
        reason(6);
        run.set(ValueLayout.JAVA_LONG, 32, 0xfebf_0010L);
        run.set(ValueLayout.JAVA_INT, 40, 0xdead_beef);
        run.set(ValueLayout.JAVA_INT, 48, 4);
        run.set(ValueLayout.JAVA_BYTE, 52, (byte) 1);
        VcpuExit.Mmio m = assertInstanceOf(VcpuExit.Mmio.class, KvmRunDecoder.decode(run));
        assertEquals(GuestAddress.of(0xfebf_0010L), m.address());
        assertEquals(4, m.length());
        assertEquals(true, m.isWrite());
        assertEquals(0xdead_beefL, m.value());
    }

    @Test
    void failEntryCarriesReasonAndCpu() {
        reason(9);
        run.set(ValueLayout.JAVA_LONG, 32, 0x80000021L);
        run.set(ValueLayout.JAVA_INT, 40, 3);
        assertEquals(new VcpuExit.FailEntry(0x80000021L, 3), KvmRunDecoder.decode(run));
    }

    @Test
    void internalErrorCapsNdataAtSixteen() {
        reason(17);
        run.set(ValueLayout.JAVA_INT, 32, 1);
        run.set(ValueLayout.JAVA_INT, 36, 99);
        for (int i = 0; i < 16; i++) {
            run.set(ValueLayout.JAVA_LONG, 40 + 8L * i, i);
        }
        VcpuExit.InternalError e = assertInstanceOf(VcpuExit.InternalError.class, KvmRunDecoder.decode(run));
        assertEquals(VcpuExit.InternalError.EMULATION, e.suberror());
        assertEquals(16, e.data().size());
        assertEquals(15L, e.data().get(15));
    }

    @Test
    void systemEventTypeAndData() {
        reason(24);
        run.set(ValueLayout.JAVA_INT, 32, VcpuExit.SystemEvent.RESET);
        run.set(ValueLayout.JAVA_INT, 36, 1);
        run.set(ValueLayout.JAVA_LONG, 40, 7);
        assertEquals(new VcpuExit.SystemEvent(VcpuExit.SystemEvent.RESET, List.of(7L)), KvmRunDecoder.decode(run));
    }

    @Test
    void noDataKindsAndUnknownReasons() {
        reason(5);
        assertSame(KvmRunDecoder.HALT, KvmRunDecoder.decode(run));
        reason(8);
        assertInstanceOf(VcpuExit.Shutdown.class, KvmRunDecoder.decode(run));
        reason(10);
        assertInstanceOf(VcpuExit.Interrupted.class, KvmRunDecoder.decode(run));
        reason(7);
        assertEquals(new VcpuExit.Other(7), KvmRunDecoder.decode(run));
    }
}
