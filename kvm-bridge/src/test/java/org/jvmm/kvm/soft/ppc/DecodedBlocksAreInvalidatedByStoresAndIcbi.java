package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The decode cache never runs stale code: guest stores drop it exactly, icbi drops a line. */
class DecodedBlocksAreInvalidatedByStoresAndIcbi {

    @Test
    @DisplayName("a store into the running block takes effect for the next instruction")
    void selfModifyingBlock() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.setGpr(4, li(3, 2)); // the new instruction word
            m.code(0, stw(4, 8, 0), NOP, li(3, 1), NOP);
            m.cpu.run(4);
            assertEquals(2, m.cpu.gpr(3));
        }
    }

    @Test
    @DisplayName("a loop whose body was rewritten by a store runs the new body")
    void rewrittenLoop() {
        try (TestMachine m = new TestMachine(0x10000, false)) {
            // 0x0: addi r3,r3,1 ; 0x4: b 0 -- run it hot, then patch the add to +16 from the guest.
            m.code(0, addi(3, 3, 1), b(-4));
            m.cpu.run(200);
            assertEquals(100, m.cpu.gpr(3));
            m.code(0x1000, stw(5, 0, 0), b(-0x1000));
            m.cpu.setGpr(5, addi(3, 3, 16));
            m.cpu.setPc(new org.jvmm.address.GuestAddress(0x1000));
            m.cpu.run(2 + 2 * 10);
            assertEquals(100 + 160, m.cpu.gpr(3));
        }
    }

    @Test
    @DisplayName("code written behind the CPU's back (device DMA) is seen after the guest's icbi")
    void icbiDropsTheLine() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.code(0x2000, li(3, 1), BLR);
            m.code(0, addi(9, 0, 0x2000), Asm.mtspr(Spr.LR, 9), BLR);
            m.cpu.run(5);
            assertEquals(1, m.cpu.gpr(3));
            // A DMA write: straight into RAM, no invalidateCode.
            m.ram.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0x2000, li(3, 7));
            m.cpu.setPc(new org.jvmm.address.GuestAddress(0x2000));
            m.cpu.run(2);
            assertEquals(1, m.cpu.gpr(3), "stale decode until the guest invalidates");
            m.code(0x3000, icbi(0, 9), ISYNC, b(-0x1000 - 8));
            m.cpu.setPc(new org.jvmm.address.GuestAddress(0x3000));
            m.cpu.run(4);
            assertEquals(7, m.cpu.gpr(3));
        }
    }

    /**
     * Translated stores skip the code-page flags for addresses outside the span the code pages
     * cover; that span must follow code decoded later from a page the translated loop already
     * stores into, whether the loop is a block or a region.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "region threshold {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1})
    void aTranslatedStoreSeesCodeDecodedLaterInItsDataPage(int regionThreshold) {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.translateThreshold = 1;
            m.cpu.setRegionThreshold(regionThreshold);
            // 0x0: stw r5,0(r6) ; addi r3,r3,1 ; b 0 -- stores into 0x8000, a page without code yet.
            m.code(0, stw(5, 0, 6), addi(3, 3, 1), b(-8));
            m.cpu.setGpr(6, 0x8000);
            m.cpu.setGpr(5, li(4, 7));
            m.cpu.run(3 * 200);
            assertEquals(200, m.cpu.gpr(3));
            org.junit.jupiter.api.Assertions.assertTrue(m.cpu.translatedBlocks() > 0, "the loop is translated");

            // Code is decoded from 0x8000 now (li r4,1): its page joins the code span.
            m.code(0x8000, li(4, 1), WAIT);
            m.cpu.setPc(new org.jvmm.address.GuestAddress(0x8000));
            m.cpu.run(1);
            assertEquals(1, m.cpu.gpr(4));

            // The translated loop's next store rewrites that instruction to li r4,7 and must drop it.
            m.cpu.setPc(new org.jvmm.address.GuestAddress(0));
            m.cpu.run(3 * 10);
            assertEquals(210, m.cpu.gpr(3));
            m.cpu.setPc(new org.jvmm.address.GuestAddress(0x8000));
            m.cpu.run(1);
            assertEquals(7, m.cpu.gpr(4), "the block decoded before the store is not run");
        }
    }
}
