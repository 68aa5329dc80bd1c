package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The compiled tier translates a hot block together with the blocks of the loop it heads (a
 * region): code that branches between them, and code that calls through CTR and returns through
 * LR between translations, must end every run with the registers, PC and retired count the
 * interpreter alone reaches, for any budget, and a region must not run a member block's code after
 * that code was replaced.
 */
class TranslatedRegionsSpanBlocksExactly {
    private static final int BDNZ = 0x42000000;
    private static final int BEQ = 0x41820000;
    private static final int BNE = 0x40820000;
    private static final int BCTRL = 0x4E800421;

    private static int bc(int base, int offset) {
        return base | (offset & 0xfffc);
    }

    private static int andiDot(int ra, int rs, int imm) {
        return d(28, rs, ra, imm);
    }

    private static int xor(int ra, int rs, int rb) {
        return x(rs, ra, rb, 316);
    }

    private static int add(int rt, int ra, int rb) {
        return x(rt, ra, rb, 266);
    }

    private static int cmpw(int ra, int rb) {
        return x(0, ra, rb, 0);
    }

    /** 0x100: a counted loop whose body takes one of two paths: four blocks. */
    private static void twoPathLoop(TestMachine m) {
        m.code(0x100,
                addi(3, 3, 1), andiDot(5, 3, 1), bc(BEQ, 12), // 0x100..0x108: to 0x114 on even r3
                addi(4, 4, 3), b(8), //                           0x10c..0x110: to 0x118
                addi(4, 4, 5), //                                 0x114
                bc(BDNZ, -0x18), //                               0x118: back to 0x100
                b(0)); //                                         0x11c: stays here
        m.cpu.setCtr(1000);
        m.cpu.setPc(new GuestAddress(0x100));
    }

    /** 0x200: a loop calling one of two functions through CTR (bctrl), returning with blr. */
    private static void indirectCallLoop(TestMachine m) {
        m.code(0x200,
                xor(6, 6, 7), mtspr(9, 6), BCTRL, //              0x200..0x208: call *r6
                addi(8, 8, 1), cmpw(8, 9), bc(BNE, -0x14), //      0x20c..0x214: 0x200 until r8 == r9
                b(0)); //                                         0x218: stays here
        m.code(0x300, addi(3, 3, 7), BLR);
        m.code(0x320, add(3, 3, 3), addi(3, 3, 1), BLR);
        m.cpu.setGpr(6, 0x300);
        m.cpu.setGpr(7, 0x300 ^ 0x320);
        m.cpu.setGpr(9, 700);
        m.cpu.setPc(new GuestAddress(0x200));
    }

    private static void assertSameState(TestMachine expected, TestMachine actual, String what) {
        for (int r = 0; r < 32; r++) {
            assertEquals(expected.cpu.gpr(r), actual.cpu.gpr(r), "r" + r + " " + what);
        }
        assertEquals(expected.cpu.cr(), actual.cpu.cr(), "CR " + what);
        assertEquals(expected.cpu.ctr(), actual.cpu.ctr(), "CTR " + what);
        assertEquals(expected.cpu.lr(), actual.cpu.lr(), "LR " + what);
        assertEquals(expected.cpu.pc(), actual.cpu.pc(), "PC " + what);
        assertEquals(expected.cpu.retiredInstructions(), actual.cpu.retiredInstructions(), "retired " + what);
    }

    private static void runBothTiers(java.util.function.Consumer<TestMachine> program, int[] budgets, boolean spans) {
        try (TestMachine interpreted = new TestMachine(0x10000, true);
                TestMachine translated = new TestMachine(0x10000, true)) {
            interpreted.cpu.setBlockTranslation(false);
            translated.cpu.setTranslateThreshold(3);
            program.accept(interpreted);
            program.accept(translated);
            for (int budget : budgets) {
                PpcExit e = interpreted.cpu.run(budget);
                PpcExit f = translated.cpu.run(budget);
                assertInstanceOf(PpcExit.BudgetExhausted.class, e);
                assertInstanceOf(PpcExit.BudgetExhausted.class, f);
                assertSameState(interpreted, translated, "after a run of " + budget);
            }
            assertTrue(!spans || translated.cpu.regionMembers > translated.cpu.translatedBlocks(),
                    "some region holds more than its entry block: " + translated.cpu.regionMembers + " members in "
                            + translated.cpu.translatedBlocks() + " regions");
        }
    }

    @Test
    @DisplayName("a loop over four blocks ends each run where the interpreter does, budgets cutting blocks anywhere")
    void loopAcrossBlocksMatchesTheInterpreterAtEveryBudget() {
        runBothTiers(TranslatedRegionsSpanBlocksExactly::twoPathLoop, new int[] {40, 1, 2, 3, 997, 5, 1234, 7, 10_000}, true);
    }

    @Test
    @DisplayName("calls through CTR and returns through LR inside a region match the interpreter")
    void indirectCallsAndReturnsMatchTheInterpreter() {
        runBothTiers(TranslatedRegionsSpanBlocksExactly::indirectCallLoop, new int[] {60, 1, 3, 999, 2, 1001, 10_000}, false);
    }

    @Test
    @DisplayName("replacing an instruction of a region's member block (not its entry) takes effect at once")
    void replacedMemberCodeIsNotRunFromAStaleRegion() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setTranslateThreshold(3);
            twoPathLoop(m);
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(2000));
            assertTrue(m.cpu.regionMembers > m.cpu.translatedBlocks(), "a region spans blocks");
            m.code(0x114, addi(4, 4, 500)); // the even path now adds 500
            m.code(0x10c, addi(4, 4, 300)); // the odd path now adds 300
            m.cpu.setGpr(4, 0);
            m.cpu.setCtr(100);
            m.cpu.setPc(new GuestAddress(0x100));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(100_000));
            assertEquals(0x11c, m.cpu.pc().value(), "the loop ended");
            assertEquals(50 * 500 + 50 * 300, m.cpu.gpr(4), "only the new instructions ran");
        }
    }
}
