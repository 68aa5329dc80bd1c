package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.Test;

/**
 * A region (hot translated blocks and their neighbours in one method) runs a loop that calls a
 * function (bl, blr through LR, bdnz) with the same registers, retired count and exit as the
 * interpreter, and goes when the code of one of its blocks is rewritten: the new code runs.
 */
class RegionsRunCallsAndLoopsExactlyAndGoWithTheirCode {
    private static final int BDNZ = 16;


    /** r3 = sum over i < 40 of (i + step), through a call per pass. */
    private static void load(TestMachine m, int step) {
        m.code(0x1000, li(3, 0), li(4, 0), li(5, 40), mtspr(9, 5), // mtctr r5
                b(0x100) | 1, // 0x1010: bl 0x1110
                addi(4, 4, 1), bc(BDNZ, 0, -8), WAIT);
        m.code(0x1110, add(3, 3, 4), addi(3, 3, step), BLR);
    }

    private static List<Long> run(TestMachine m) {
        m.cpu.setPc(new GuestAddress(0x1000));
        assertInstanceOf(PpcExit.Halted.class, m.cpu.run(100_000));
        return List.of(m.cpu.gpr(3), m.cpu.gpr(4), m.cpu.lr(), m.cpu.ctr(), m.cpu.retiredInstructions());
    }

    @Test
    void aRegionAgreesWithTheInterpreterAndGoesWhenItsCodeChanges() {
        try (TestMachine interpreted = new TestMachine(0x10000, true);
                TestMachine regions = new TestMachine(0x10000, true)) {
            interpreted.cpu.setBlockTranslation(false);
            regions.cpu.translateThreshold = 1;
            regions.cpu.setRegionThreshold(1);
            load(interpreted, 1);
            load(regions, 1);
            List<Long> expected = run(interpreted);
            assertEquals(List.of(40L * 39 / 2 + 40, 40L, 0x1014L, 0L, 4 + 40 * 6 + 1L), expected);
            assertEquals(expected, run(regions));
            assertTrue(regions.cpu.regions() > 0, "a region formed: " + regions.cpu.regions());

            // The function's addi now adds 2: the region holding the old copy must not run it.
            interpreted.code(0x1114, addi(3, 3, 2));
            regions.code(0x1114, addi(3, 3, 2));
            List<Long> again = run(interpreted);
            assertEquals(40L * 39 / 2 + 80, again.get(0));
            assertEquals(again, run(regions));
        }
    }

    @Test
    void thresholdZeroFormsNoRegionAndRunsTheSame() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.translateThreshold = 1;
            m.cpu.setRegionThreshold(0);
            load(m, 1);
            assertEquals(List.of(40L * 39 / 2 + 40, 40L, 0x1014L, 0L, 4 + 40 * 6 + 1L), run(m));
            assertEquals(0, m.cpu.regions());
            assertTrue(m.cpu.translatedBlocks() > 0);
        }
    }

    @Test
    void theThresholdPropertyIsReadAndABadValueNamesIt() {
        assertEquals(2000, PpcCpu.regionThresholdOf(null));
        assertEquals(7, PpcCpu.regionThresholdOf(" 7 "));
        assertEquals(0, PpcCpu.regionThresholdOf("0"));
        for (String bad : new String[] {"-1", "many"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> PpcCpu.regionThresholdOf(bad));
            assertEquals("system property jvmm.ppc.regionThreshold: '" + bad + "' is not a number of runs (0 or more;"
                    + " 0 forms no regions)", e.getMessage());
        }
    }

    @Test
    void theTranslateThresholdPropertyIsReadAndABadValueNamesIt() {
        assertEquals(50, PpcCpu.translateThresholdOf(null));
        assertEquals(2000, PpcCpu.translateThresholdOf(" 2000 "));
        assertEquals(1, PpcCpu.translateThresholdOf("1"));
        for (String bad : new String[] {"0", "-5", "often"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> PpcCpu.translateThresholdOf(bad));
            assertEquals("system property jvmm.ppc.translateThreshold: '" + bad + "' is not a number of entries (1 or more)",
                    e.getMessage());
        }
    }

    @Test
    void aBlockWhoseOwnTranslationLoopsLongStaysOutOfRegions() {
        DecodedInsn nop = PpcDecoder.decode(0x60000000, 0x1000);
        DecodedBlock b = new DecodedBlock(0x1000, true, new DecodedInsn[] {nop, nop, nop, nop});
        b.singleRuns = 63;
        b.singleRetired = 63L * 4 * 100;
        assertEquals(false, b.loopsLong(), "fewer than 64 runs say nothing yet");
        b.singleRuns = 64;
        b.singleRetired = 64L * 4 * 8;
        assertEquals(false, b.loopsLong(), "eight passes a run on average is not long");
        b.singleRetired++;
        assertEquals(true, b.loopsLong());
    }

    /**
     * A region made while the code lay in page 1 only stores, on pass 30, a new instruction into a
     * function in page 5 that its loop calls on passes 20 and 40 (too rarely to seed a region of its
     * own): decoding the function on pass 20 grew the code range the region baked in, so the region
     * must go then, for the store to be seen and the new code to run on pass 40.
     */
    @Test
    void aRegionGoesWhenTheCodeRangeGrowsSoItsStoresIntoNewCodeAreSeen() {
        int addi100 = addi(6, 6, 100);
        try (TestMachine interpreted = new TestMachine(0x10000, true);
                TestMachine regions = new TestMachine(0x10000, true)) {
            interpreted.cpu.setBlockTranslation(false);
            regions.cpu.translateThreshold = 1;
            regions.cpu.setRegionThreshold(5);
            for (TestMachine m : List.of(interpreted, regions)) {
                m.code(0x1000, li(20, 0), li(6, 0), li(11, addi100 & 0xffff),
                        oris(11, 11, addi100 >>> 16),
                        li(12, 0x5000),
                        addi(20, 20, 1), // 0x1014: the loop head
                        cmpdi(20, 30), bc(4, 2, 8), stw(11, 0, 12), // pass 30: the store
                        cmpdi(20, 20), bc(12, 2, 12), // 0x1028: pass 20 calls
                        cmpdi(20, 40), bc(4, 2, 8), // 0x1030: so does pass 40, the others do not
                        b(0x5000 - 0x1034) | 1, // 0x1034: bl 0x5000
                        cmpdi(20, 50), bc(4, 2, 0x1014 - 0x103c), WAIT);
                m.code(0x5000, addi(6, 6, 1), BLR);
            }
            for (TestMachine m : List.of(interpreted, regions)) {
                m.cpu.setPc(new GuestAddress(0x1000));
                assertInstanceOf(PpcExit.Halted.class, m.cpu.run(100_000));
            }
            assertEquals(List.of(1L + 100, 50L, 5 + 50 * 7 + 1 + 49 * 2 + 2 * 3 + 1L),
                    List.of(interpreted.cpu.gpr(6), interpreted.cpu.gpr(20), interpreted.cpu.retiredInstructions()));
            assertEquals(List.of(interpreted.cpu.gpr(6), interpreted.cpu.gpr(20), interpreted.cpu.retiredInstructions()),
                    List.of(regions.cpu.gpr(6), regions.cpu.gpr(20), regions.cpu.retiredInstructions()));
            assertTrue(regions.cpu.regions() >= 2, "the region went and a new one formed: " + regions.cpu.regions());
        }
    }
}
