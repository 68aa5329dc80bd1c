package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A conditional relative branch (bc) does not end a decoded block: taken, it leaves the block;
 * not taken, the block goes on. The translated tier runs the same blocks, so a translated loop
 * may leave from the middle of its body, after a pass that ran the instructions behind the exit:
 * their results must be written back there too. Every case runs on both tiers.
 */
class ConditionalBranchesDoNotEndABlock {
    /** cmpdi cr0,ra,si */
    private static int cmpdi(int ra, int si) {
        return (11 << 26) | (1 << 21) | (ra << 16) | (si & 0xffff);
    }

    private static final int BEQ = 12; // BO: branch if the CR bit is set
    private static final int BDNZ = 16;

    @ParameterizedTest(name = "translated {0}")
    @ValueSource(booleans = {true, false})
    void aLoopLeftFromTheMiddleOfItsBodyKeepsWhatTheLastPassWroteBehindTheExit(boolean translated) {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setBlockTranslation(translated);
            m.cpu.translateThreshold = 1;
            // 0x1000: r4 += 1; if r4 == 5 goto 0x1100; r6 += 3; bdnz 0x1000
            m.code(0x1000, addi(4, 4, 1), cmpdi(4, 5), bc(BEQ, 2, 0x100 - 8), addi(6, 6, 3), bc(BDNZ, 0, -0x10));
            m.code(0x1100, WAIT);
            m.cpu.setCtr(100);
            m.cpu.setPc(new GuestAddress(0x1000));
            PpcExit e = m.cpu.run(1000);
            assertInstanceOf(PpcExit.Halted.class, e);
            assertEquals(List.of(5L, 12L, 96L), List.of(m.cpu.gpr(4), m.cpu.gpr(6), m.cpu.ctr()));
            assertEquals(4 * 5 + 3 + 1, m.cpu.retiredInstructions());
            assertEquals(2, m.cpu.decodedBlocks(), "the loop body is one block with the beq inside, then the wait");
            assertEquals(translated ? 1 : 0, m.cpu.translatedBlocks());
        }
    }

    @ParameterizedTest(name = "translated {0}")
    @ValueSource(booleans = {true, false})
    void notTakenBranchesRunOnInTheBlockAndSetTheLinkRegister(boolean translated) {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setBlockTranslation(translated);
            m.cpu.translateThreshold = 1;
            // beql (not taken: CR0[EQ] is clear) sets LR to the next instruction and runs on.
            m.code(0x2000, li(3, 1), cmpdi(3, 0), bc(BEQ, 2, 0x40) | 1, li(5, 7), WAIT);
            m.cpu.setPc(new GuestAddress(0x2000));
            assertInstanceOf(PpcExit.Halted.class, m.cpu.run(100));
            assertEquals(0x200cL, m.cpu.lr());
            assertEquals(7, m.cpu.gpr(5));
            // One block up to the wait; the translation hands the wait to the interpreter, which
            // decodes it as a block of its own.
            assertEquals(translated ? 2 : 1, m.cpu.decodedBlocks());
        }
    }

    @ParameterizedTest(name = "translated {0}")
    @ValueSource(booleans = {true, false})
    void aLoopBackFromTheMiddleCountsTheInstructionsOfItsPasses(boolean translated) {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setBlockTranslation(translated);
            m.cpu.translateThreshold = 1;
            // 0x3000: r3 += 1; bdnz 0x3000; r4 = 9; b 0x3100 -- passes of 2 until CTR runs out.
            m.code(0x3000, addi(3, 3, 1), bc(BDNZ, 0, -4), li(4, 9), b(0x100 - 12));
            m.code(0x3100, WAIT);
            m.cpu.setCtr(50);
            m.cpu.setPc(new GuestAddress(0x3000));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(61));
            assertEquals(List.of(31L, 0L, 0x3000L + 4 * (61 % 2 == 1 ? 1 : 0)),
                    List.of(m.cpu.gpr(3), m.cpu.gpr(4), m.cpu.pc().value()));
            assertInstanceOf(PpcExit.Halted.class, m.cpu.run(1000));
            assertEquals(List.of(50L, 9L, 0L), List.of(m.cpu.gpr(3), m.cpu.gpr(4), m.cpu.ctr()));
            assertEquals(50 * 2 + 2 + 1, m.cpu.retiredInstructions());
        }
    }
}
