package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.NOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Found by the PPC CPU fuzzer (corpus file translated-store-divergence.case): an {@code stmw}
 * whose words overwrite the block it runs in stored only up to the first such word, since the
 * invalidation ended the block mid-instruction. Power ISA v3.0 Book I 3.3.7: stmw stores the low
 * words of RS through r31 to consecutive words starting at EA.
 */
class StmwOverItsOwnBlockStoresEveryWord {

    private static int stmw(int rs, int d, int ra) {
        return (47 << 26) | (rs << 21) | (ra << 16) | (d & 0xffff);
    }

    @Test
    @DisplayName("stmw r28,0x100(0) run from a block at 0x100 stores all four words and retires once")
    void stmwOverItsOwnCode() {
        try (TestMachine m = new TestMachine(0x10000, false)) {
            m.code(0x100, NOP, NOP, stmw(28, 0x100, 0), NOP);
            for (int n = 28; n < 32; n++) {
                m.cpu.setGpr(n, 0x1111_0000L * (n - 27) + n);
            }
            m.cpu.setPc(new GuestAddress(0x100));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(3));
            for (int n = 28; n < 32; n++) {
                assertEquals((int) (0x1111_0000L * (n - 27) + n), m.read32(0x100 + 4 * (n - 28)), "word of r" + n);
            }
            assertEquals(3, m.cpu.retiredInstructions());
            assertEquals(0x10c, m.cpu.pc().value());
        }
    }
}
