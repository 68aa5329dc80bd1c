package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loads and stores outside guest RAM leave as MMIO exits shaped like KVM's, and resume exactly. */
class MmioExitsReportTheAccessAndResume {
    private static final long DEV = 0x4000_0000L;

    private static TestMachine machine(boolean le) {
        TestMachine m = new TestMachine(0x10000, le);
        m.cpu.setGpr(9, DEV);
        m.cpu.setPc(new GuestAddress(0x100));
        return m;
    }

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("a store exits with address, size, the guest's byte order and the value; PC is past it")
    void storeExit(boolean le) {
        try (TestMachine m = machine(le)) {
            m.code(0x100, stw(5, 8, 9), li(6, 7));
            m.cpu.setGpr(5, 0xffff_ffff_8765_4321L);
            PpcExit e = m.cpu.run(100);
            MmioAccess a = assertInstanceOf(PpcExit.Mmio.class, e).access();
            assertEquals(new MmioAccess(new GuestAddress(DEV + 8), 4, le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN,
                    true, 0x8765_4321L), a);
            assertEquals(0x104, m.cpu.pc().value());
            byte[] bus = a.data();
            assertEquals(le ? (byte) 0x21 : (byte) 0x87, bus[0], "first byte on the bus");
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(1));
            assertEquals(7, m.cpu.gpr(6), "the instruction after the store ran on resume");
        }
    }

    @Test
    @DisplayName("a load exits without touching registers, repeats the exit until completed, then finishes with the value")
    void loadExitAndCompletion() {
        try (TestMachine m = machine(true)) {
            m.code(0x100, lha(5, 2, 9), li(6, 1));
            m.cpu.setGpr(5, 0x55);
            MmioAccess a = assertInstanceOf(PpcExit.Mmio.class, m.cpu.run(100)).access();
            assertEquals(new MmioAccess(new GuestAddress(DEV + 2), 2, ByteOrder.LITTLE_ENDIAN, false, 0), a);
            assertEquals(0x55, m.cpu.gpr(5), "RT untouched while the load waits");
            assertEquals(0x100, m.cpu.pc().value(), "PC still at the load");
            assertEquals(a, assertInstanceOf(PpcExit.Mmio.class, m.cpu.run(100)).access(), "not completed: same exit");
            m.cpu.completeMmioLoad(0xfff0);
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(2));
            assertEquals(-16, m.cpu.gpr(5), "lha sign-extends the device's halfword");
            assertEquals(1, m.cpu.gpr(6));
            assertEquals(1, m.mmio.size(), "the device saw the load once");
        }
    }

    @Test
    @DisplayName("an update-form load updates RA once, after completion")
    void updateFormLoad() {
        try (TestMachine m = machine(false)) {
            m.code(0x100, lwzu(5, 16, 9));
            assertInstanceOf(PpcExit.Mmio.class, m.cpu.run(10));
            assertEquals(DEV, m.cpu.gpr(9));
            m.cpu.completeMmioLoad(0x1_2345_6789L);
            m.cpu.run(1);
            assertEquals(0x2345_6789L, m.cpu.gpr(5), "the value is cut to the access size");
            assertEquals(DEV + 16, m.cpu.gpr(9));
        }
    }

    @Test
    @DisplayName("a byte-reversed load travels in the other byte order")
    void byteReversed() {
        try (TestMachine m = machine(true)) {
            m.cpu.setGpr(10, 4);
            m.code(0x100, lwbrx(5, 9, 10));
            MmioAccess a = assertInstanceOf(PpcExit.Mmio.class, m.cpu.run(10)).access();
            assertEquals(ByteOrder.BIG_ENDIAN, a.order());
            assertEquals(DEV + 4, a.address().value());
        }
    }

    @Test
    @DisplayName("a handler that completes in place causes no exit")
    void completedInPlace() {
        try (TestMachine m = machine(true)) {
            m.loadReply = new MmioReply.Completed(0xabcd);
            m.storeReply = MmioReply.STORED;
            m.code(0x100, lwz(5, 0, 9), stw(5, 4, 9), li(6, 3));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(3));
            assertEquals(0xabcd, m.cpu.gpr(5));
            assertEquals(2, m.mmio.size());
            assertEquals(0xabcd, m.mmio.get(1).value());
            assertTrue(m.mmio.get(1).write());
        }
    }

    @Test
    @DisplayName("completing a load nobody waits for, and bad access shapes, are refused with the values")
    void misuse() {
        try (TestMachine m = machine(true)) {
            var e = assertThrows(IllegalStateException.class, () -> m.cpu.completeMmioLoad(5));
            assertTrue(e.getMessage().contains("0x5"), e.getMessage());
            var s = assertThrows(IllegalArgumentException.class,
                    () -> new MmioAccess(new GuestAddress(8), 3, ByteOrder.BIG_ENDIAN, false, 0));
            assertTrue(s.getMessage().contains("size 3"), s.getMessage());
        }
    }
}
