package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.Test;

/**
 * Region formation (PpcCpu.formRegion): a function that loops stays out of a region of its
 * caller's loop, and its caller stays out of a region seeded in it, so that the callee's loop never
 * runs inside the caller's in one method (every caller register would be live through it); a
 * function without a loop, and a function calling itself, do join, and a caller joins the region
 * seeded in a function whose loop is a bulk move (its loop runs as one copy). Each run agrees
 * exactly with the interpreter.
 */
class RegionsKeepALoopingCalleeOutOfItsCallersLoop {
    private static final int BDNZ = 16;
    private static final int BNE = 4;
    private static final int BEQ = 12;
    private static final int EQ = 2;

    /**
     * The caller at 0x1000 calls the function at {@code callee} 30 times, passing r5 = 50, with
     * its count in r20 (not CTR, which the looping function uses).
     */
    private static void caller(TestMachine m, int callee) {
        m.code(0x1000, li(20, 30),
                li(5, 50), // 0x1004: the loop head
                b(callee - 0x1008) | 1, // 0x1008: bl callee
                addi(20, 20, -1), // 0x100c: the call's return site
                cmpdi(20, 0), bc(BNE, EQ, 0x1004 - 0x1014), WAIT);
    }

    /** At 0x1200, a function looping r5 times: r6 counts every pass, r8 every second one. */
    private static void looping(TestMachine m) {
        m.code(0x1200, mtspr(9, 5), // mtctr r5
                addi(6, 6, 1), // 0x1204: the loop head
                andiDot(7, 6, 1), bc(BEQ, EQ, 8), addi(8, 8, 1),
                bc(BDNZ, 0, 0x1204 - 0x1214), // 0x1214
                BLR);
    }

    /** At 0x1200, a function without a loop: r6 += r5. */
    private static void straight(TestMachine m) {
        m.code(0x1200, add(6, 6, 5), addi(8, 8, 1), BLR);
    }

    private static List<Long> run(TestMachine m) {
        m.cpu.setPc(new GuestAddress(0x1000));
        assertInstanceOf(PpcExit.Halted.class, m.cpu.run(1_000_000));
        return List.of(m.cpu.gpr(6), m.cpu.gpr(8), m.cpu.gpr(20), m.cpu.lr(), m.cpu.ctr(), m.cpu.retiredInstructions());
    }

    private static TestMachine machine(boolean regions) {
        TestMachine m = new TestMachine(0x10000, true);
        if (regions) {
            m.cpu.translateThreshold = 1;
            m.cpu.setRegionThreshold(5);
        } else {
            m.cpu.setBlockTranslation(false);
        }
        return m;
    }

    @Test
    void aLoopingCalleeAndItsCallerFormRegionsApart() {
        try (TestMachine interpreted = machine(false); TestMachine regions = machine(true)) {
            caller(interpreted, 0x1200);
            looping(interpreted);
            caller(regions, 0x1200);
            looping(regions);
            List<Long> expected = run(interpreted);
            assertEquals(List.of(1500L, 750L, 0L, 0x100cL, 0L, 1L + 30 * (2 + 1 + 50 * 4 + 25 + 1 + 3) + 1), expected);
            assertEquals(expected, run(regions));
            assertTrue(regions.cpu.regions() > 0, "regions formed: " + regions.cpu.regions());
            List<Long> callee = regions.cpu.regionSeedsOf(0x1200);
            List<Long> callSite = regions.cpu.regionSeedsOf(0x1004);
            assertFalse(callee.isEmpty(), "the function's entry is in a region");
            for (long seed : callee) {
                assertFalse(callSite.contains(seed), "region 0x" + Long.toHexString(seed) + " holds the function (seeds "
                        + callee + ") and its caller's call site (seeds " + callSite + ")");
            }
            assertFalse(callSite.isEmpty(), "the caller's loop is in a region");
        }
    }

    @Test
    void aCalleeWithoutALoopJoinsItsCallersRegion() {
        try (TestMachine interpreted = machine(false); TestMachine regions = machine(true)) {
            caller(interpreted, 0x1200);
            straight(interpreted);
            caller(regions, 0x1200);
            straight(regions);
            List<Long> expected = run(interpreted);
            assertEquals(List.of(1500L, 30L, 0L, 0x100cL, 0L, 1L + 30 * (2 + 3 + 3) + 1), expected);
            assertEquals(expected, run(regions));
            List<Long> callee = regions.cpu.regionSeedsOf(0x1200);
            List<Long> callSite = regions.cpu.regionSeedsOf(0x1004);
            assertTrue(callee.stream().anyMatch(callSite::contains),
                    "one region holds the call site (seeds " + callSite + ") and the function (seeds " + callee + ")");
        }
    }

    /**
     * At 0x1200, a memcpy of r5 doublewords from r3 to r4: one counted loop, a bulk move
     * (BlockCompiler.Bulk), so it runs as one copy and not as a loop of the method.
     */
    private static void copying(TestMachine m) {
        m.code(0x1200, mtspr(9, 5), // mtctr r5
                d(58, 6, 3, 0), addi(3, 3, 8), std(6, 0, 4), addi(4, 4, 8), // 0x1204: ld r6,0(r3) ...
                bc(BDNZ, 0, 0x1204 - 0x1214), // 0x1214
                BLR);
    }

    @Test
    void aCallerOfAFunctionMovingMemoryInBulkJoinsTheRegionSeededInIt() {
        try (TestMachine interpreted = machine(false); TestMachine regions = machine(true)) {
            for (TestMachine m : List.of(interpreted, regions)) {
                for (long a = 0x8000; a < 0x8000 + 8 * 50; a += 8) {
                    m.write64(a, a * 0x9e3779b97f4a7c15L);
                }
                // 30 calls, each copying 50 doublewords from 0x8000 to 0xa000 + 8 * the count.
                m.code(0x1000, li(20, 30),
                        li(5, 50), // 0x1004: the loop head
                        li(3, 0), d(24, 3, 3, 0x8000), li(4, 0), d(24, 4, 4, 0xa000), // r3 = 0x8000, r4 = 0xa000 (ori)
                        add(4, 4, 20), add(4, 4, 20), add(4, 4, 20), add(4, 4, 20), add(4, 4, 20), add(4, 4, 20),
                        add(4, 4, 20), add(4, 4, 20), // r4 = 0xa000 + 8 * r20
                        b(0x1200 - 0x1038) | 1, // 0x1038: bl 0x1200
                        addi(20, 20, -1), // 0x103c: the call's return site
                        cmpdi(20, 0), bc(BNE, EQ, 0x1004 - 0x1044), WAIT);
                copying(m);
            }
            List<Long> expected = run(interpreted);
            assertEquals(expected, run(regions));
            byte[] a = new byte[0x400];
            byte[] b = new byte[0x400];
            interpreted.ram.asSlice(0xa000, 0x400).asByteBuffer().get(a);
            regions.ram.asSlice(0xa000, 0x400).asByteBuffer().get(b);
            assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b), "the copies' memory");
            assertEquals(interpreted.read64(0x8000), interpreted.read64(0xa000 + 8), "the last call copied to 0xa008");
            List<Long> callee = regions.cpu.regionSeedsOf(0x1200);
            List<Long> callSite = regions.cpu.regionSeedsOf(0x1004);
            assertTrue(callee.stream().anyMatch(callSite::contains),
                    "one region holds the function (seeds " + callee + ") and its caller's call (seeds " + callSite + ")");
        }
    }

    /**
     * A loop at 0x1008 branches through CTR (a jump table) to three cases in turn, 60 times; the
     * block at 0x1800, translated code in the same page, runs once first. The region of the loop
     * holds the three cases the branch has taken, not the cold block.
     */
    @Test
    void aBranchThroughCtrBringsTheTargetsItTookNotItsPage() {
        try (TestMachine interpreted = machine(false); TestMachine regions = machine(true)) {
            for (TestMachine m : List.of(interpreted, regions)) {
                m.code(0x1800, li(7, 5), b(0x1000 - 0x1804));
                m.code(0x1000, li(20, 60), li(9, 0),
                        addi(9, 9, 1), // 0x1008: the loop head
                        cmpdi(9, 3), bc(BNE, EQ, 8), li(9, 0),
                        d(7, 10, 9, 32), // 0x1018: mulli r10,r9,32
                        addi(10, 10, 0x1100), mtspr(9, 10), // mtctr r10
                        BCTR);
                for (int k = 0; k < 3; k++) {
                    int at = 0x1100 + 0x20 * k;
                    m.code(at, addi(6, 6, new int[] {1, 10, 100}[k]), b(0x1200 - (at + 4)));
                }
                m.code(0x1200, addi(20, 20, -1), cmpdi(20, 0), bc(BNE, EQ, 0x1008 - 0x1208), WAIT);
            }
            List<Long> expected = runFrom(interpreted, 0x1800);
            assertEquals(List.of(2220L, 5L, 0L, 0x1100L, 2L + 2 + 60 * (7 + 2 + 3) + 20 + 1), expected);
            assertEquals(expected, runFrom(regions, 0x1800));
            List<Long> loop = regions.cpu.regionSeedsOf(0x1008);
            assertFalse(loop.isEmpty(), "the loop is in a region");
            long seed = loop.getFirst();
            for (long c : new long[] {0x1100, 0x1120, 0x1140}) {
                assertTrue(regions.cpu.regionSeedsOf(c).contains(seed), "case 0x" + Long.toHexString(c) + " is in region 0x"
                        + Long.toHexString(seed) + ": " + regions.cpu.regionSeedsOf(c));
            }
            assertFalse(regions.cpu.regionSeedsOf(0x1800).contains(seed), "the cold block is not in region 0x"
                    + Long.toHexString(seed));
        }
    }

    private static List<Long> runFrom(TestMachine m, long pc) {
        m.cpu.setPc(new GuestAddress(pc));
        assertInstanceOf(PpcExit.Halted.class, m.cpu.run(1_000_000));
        return List.of(m.cpu.gpr(6), m.cpu.gpr(7), m.cpu.gpr(20), m.cpu.ctr(), m.cpu.retiredInstructions());
    }
}
