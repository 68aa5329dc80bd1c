package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A translated block hands an instruction it cannot finish to the interpreter with every earlier
 * instruction complete: MMIO accesses exit as from the interpreter, stores into code invalidate,
 * and budgets stay exact.
 */
class TranslatedBlocksLeaveToTheInterpreterExactly {
    private static final long DEV = 0x8000_0000L;
    private static final int BDNZ_BACK_8 = 0x4200fff8; // bdnz .-8

    private static TestMachine translatingMachine() {
        TestMachine m = new TestMachine(0x10000, true);
        m.cpu.translateThreshold = 1;
        return m;
    }

    @Test
    @DisplayName("an MMIO load inside a translated loop exits with the loop's registers written back")
    void mmioLoadInTranslatedLoop() {
        try (TestMachine m = translatingMachine()) {
            // loop: addi r3,r3,1 ; lwz r4,0(r9) ; bdnz loop   (r9 points at RAM, then at a device)
            m.code(0x100, addi(3, 3, 1), lwz(4, 0, 9), BDNZ_BACK_8);
            m.cpu.setGpr(9, 0x4000);
            m.write32(0x4000, 77);
            m.cpu.setCtr(1000);
            m.cpu.setPc(new GuestAddress(0x100));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(300));
            assertTrue(m.cpu.translatedBlocks() >= 1, "the loop was translated");
            assertEquals(100, m.cpu.gpr(3));
            assertEquals(77, m.cpu.gpr(4));
            assertEquals(900, m.cpu.ctr());
            m.cpu.setGpr(9, DEV);
            PpcExit.Mmio e = assertInstanceOf(PpcExit.Mmio.class, m.cpu.run(300));
            assertEquals(DEV, e.access().address().value());
            assertEquals(0x104, m.cpu.pc().value(), "PC at the load");
            assertEquals(101, m.cpu.gpr(3), "the add before the load is done and written back");
            assertEquals(900, m.cpu.ctr(), "the bdnz after the load is not");
            m.cpu.completeMmioLoad(5);
            assertInstanceOf(PpcExit.Mmio.class, m.cpu.run(300), "the next pass loads from the device again");
            assertEquals(5, m.cpu.gpr(4));
            assertEquals(899, m.cpu.ctr());
        }
    }

    @Test
    @DisplayName("a translated store into a code page leaves to the interpreter, which drops the stale code")
    void storeIntoCodeFromTranslatedBlock() {
        try (TestMachine m = translatingMachine()) {
            // 0x100: stw r5,0x10(r0) ; addi r3,r3,1 ; b 0x110   0x110: li r6,1 ; b 0x100
            m.code(0x100, stw(5, 0x110, 0), addi(3, 3, 1), b(8), NOP, li(6, 1), b(-0x14));
            m.cpu.setGpr(5, li(6, 1));
            m.cpu.setPc(new GuestAddress(0x100));
            m.cpu.run(50);
            assertEquals(1, m.cpu.gpr(6));
            m.cpu.setGpr(5, li(6, 2)); // from now on the store rewrites the instruction at 0x110
            m.cpu.run(10);
            assertEquals(2, m.cpu.gpr(6), "the rewritten instruction ran");
        }
    }

    @Test
    @DisplayName("a block is translated up to an instruction the translation lacks (sc), which the interpreter runs")
    void translatedPrefixThenInterpreter() {
        try (TestMachine m = translatingMachine()) {
            int[] calls = {0};
            m.hcalls = cpu -> {
                calls[0]++;
                cpu.setGpr(3, 0);
                return HypercallHandler.Outcome.HANDLED;
            };
            // 0x100: addi r4,r4,1 ; li r3,0x20 ; sc 1 ; b 0x100
            m.code(0x100, addi(4, 4, 1), li(3, 0x20), sc(1), b(-12));
            m.cpu.setPc(new GuestAddress(0x100));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(400));
            assertEquals(100, calls[0]);
            assertEquals(100, m.cpu.gpr(4));
            assertEquals(0, m.cpu.gpr(3));
            assertEquals(0x100, m.cpu.pc().value());
            assertTrue(m.cpu.translatedBlocks() >= 1, "the block's first two instructions were translated");
        }
    }

    @Test
    @DisplayName("the decrementer interrupts a translated loop at the exact instruction")
    void decrementerInTranslatedLoop() {
        try (TestMachine m = translatingMachine()) {
            int[] nops = new int[16];
            java.util.Arrays.fill(nops, NOP);
            m.code(Vector.DECREMENTER, nops);
            m.code(0, addi(3, 3, 1), addi(4, 4, 1), BDNZ_BACK_8);
            m.cpu.setCtr(1_000_000);
            m.cpu.setDec(100);
            m.cpu.setMsr(m.cpu.msr() | Msr.EE);
            m.cpu.run(102);
            // DEC 100 goes negative after 101 instructions: 33 passes of 3, then addi, addi.
            assertEquals(8, m.cpu.srr0(), "interrupted before the 102nd instruction, the bdnz");
            assertEquals(34, m.cpu.gpr(3));
            assertEquals(34, m.cpu.gpr(4));
            assertEquals(1_000_000 - 33, m.cpu.ctr());
            assertEquals(Vector.DECREMENTER + 4, m.cpu.pc().value());
            assertTrue(m.cpu.translatedBlocks() >= 1);
        }
    }

    @Test
    @DisplayName("a translated loop stops at exactly the budget, also mid-pass")
    void budgetInTranslatedLoop() {
        try (TestMachine m = translatingMachine()) {
            m.code(0, addi(3, 3, 1), addi(4, 4, 2), BDNZ_BACK_8);
            m.cpu.setCtr(1_000_000);
            m.cpu.run(3 * 1000 + 2);
            assertEquals(1001, m.cpu.gpr(3));
            assertEquals(2002, m.cpu.gpr(4));
            assertEquals(1_000_000 - 1000, m.cpu.ctr());
            assertEquals(8, m.cpu.pc().value());
            assertEquals(3002, m.cpu.retiredInstructions());
        }
    }
}
