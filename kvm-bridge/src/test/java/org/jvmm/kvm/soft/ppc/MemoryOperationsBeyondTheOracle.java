package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Memory instructions the user-mode oracle cannot check: reservations, lmw/stmw (big-endian only),
 * dcbz, and alignment interrupts.
 */
class MemoryOperationsBeyondTheOracle {
    private static final long DATA = 0x4000;

    @Test
    @DisplayName("lwarx/stwcx.: the store succeeds once with CR0 EQ, then fails without a reservation")
    void reservation() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.write32(DATA, 41);
            m.cpu.setGpr(9, DATA);
            m.cpu.setGpr(6, 99);
            m.code(0, lwarx(5, 0, 9), addi(5, 5, 1), stwcx(5, 0, 9), stwcx(6, 0, 9));
            m.cpu.run(3);
            assertEquals(42, m.read32(DATA));
            assertEquals(0x2, m.cpu.cr() >>> 28, "CR0 = EQ after a successful stwcx.");
            m.cpu.run(1);
            assertEquals(42, m.read32(DATA), "no reservation: no store");
            assertEquals(0x0, m.cpu.cr() >>> 28);
        }
    }

    @Test
    @DisplayName("a misaligned lwarx is an alignment interrupt (0x600) with DAR")
    void misalignedLarx() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setGpr(9, DATA + 2);
            m.code(0x100, lwarx(5, 0, 9));
            m.cpu.setPc(new GuestAddress(0x100));
            m.cpu.run(1);
            assertEquals(Vector.ALIGNMENT, m.cpu.pc().value());
            assertEquals(0x100, m.cpu.srr0());
        }
    }

    @Test
    @DisplayName("stmw/lmw move r29..r31 as big-endian words; in little-endian mode they take an alignment interrupt")
    void multipleWord() {
        try (TestMachine m = new TestMachine(0x10000, false)) {
            m.cpu.setGpr(9, DATA);
            m.cpu.setGpr(29, 0x1111_2222_3333_4444L);
            m.cpu.setGpr(30, 5);
            m.cpu.setGpr(31, -1);
            m.code(0, stmw(29, 0, 9), lmw(28, -4, 9));
            m.cpu.run(2);
            assertEquals(0x3333_4444, m.read32(DATA));
            assertEquals(5, m.read32(DATA + 4));
            assertEquals(0xffff_ffffL, m.cpu.gpr(31), "lmw zero-extends");
            assertEquals(0x3333_4444L, m.cpu.gpr(29));
        }
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setGpr(9, DATA);
            m.code(0, stmw(29, 0, 9));
            m.cpu.run(1);
            assertEquals(Vector.ALIGNMENT, m.cpu.pc().value());
        }
    }

    @Test
    @DisplayName("dcbz zeroes the whole aligned 128-byte block")
    void dcbz() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            for (int i = 0; i < 256; i += 8) {
                m.write64(DATA + i, -1);
            }
            m.cpu.setGpr(9, DATA + 0x90);
            m.code(0, Asm.dcbz(0, 9));
            m.cpu.run(1);
            assertEquals(-1, m.read64(DATA + 0x78));
            for (int i = 0x80; i < 0x100; i += 8) {
                assertEquals(0, m.read64(DATA + i), "byte offset " + i);
            }
        }
    }
}
