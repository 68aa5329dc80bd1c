package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A region's branches through CTR and LR first try a dispatch of their own over the entries they
 * are known to go to (BlockCompiler.siteTargets): a jump table's bctr over the cases it has taken,
 * a function's blr over the return sites of the region's calls. A target the branch had not taken
 * when the region formed still runs exactly, through the common dispatch or out of the region.
 */
class RegionIndirectBranchesDispatchPerSite {
    private static final int BCTRL = 0x4E800421;
    private static final int TABLE = 0x3000;
    private static final int LOOP = 0x1010;
    private static final int CASE0 = 0x1028;
    private static final int CASE1 = 0x1030;
    private static final int CASE2 = 0x1038;
    private static final int CASE3 = 0x1048;
    private static final int CASE4 = 0x1050;
    private static final int JOIN = 0x1058;
    private static final int FUNCTION = 0x1200;

    /** lwzx rt,ra,rb */
    private static int lwzx(int rt, int ra, int rb) {
        return x(rt, ra, rb, 23);
    }

    private static int b(int from, int to) {
        return Asm.b(to - from);
    }

    /**
     * 96 passes over a four-case jump table indexed by i & 3 (r20): case 0 adds 1 to r3, case 1
     * adds 10, case 2 calls FUNCTION through CTR, case 3 by bl (FUNCTION adds 100). After pass
     * 47 the guest points the table's case 1 at case 4 (adds 1000), a target the bctr had not
     * taken before.
     */
    private static void load(TestMachine m) {
        m.code(0x1000, li(20, 0), li(3, 0), li(11, TABLE), li(22, 0));
        m.code(LOOP, andiDot(9, 20, 3), add(9, 9, 9), add(9, 9, 9), lwzx(10, 11, 9), mtspr(9, 10), BCTR);
        m.code(CASE0, addi(3, 3, 1), b(CASE0 + 4, JOIN));
        m.code(CASE1, addi(3, 3, 10), b(CASE1 + 4, JOIN));
        m.code(CASE2, li(12, FUNCTION), mtspr(9, 12), BCTRL, b(CASE2 + 12, JOIN));
        m.code(CASE3, b(CASE3, FUNCTION) | 1, b(CASE3 + 4, JOIN));
        m.code(CASE4, addi(3, 3, 1000), b(CASE4 + 4, JOIN));
        int skip = JOIN + 20;
        m.code(JOIN, addi(20, 20, 1), cmpdi(20, 48), bc(4, 2, skip - (JOIN + 8)), li(13, CASE4), stw(13, 4, 11),
                cmpdi(20, 96), bc(4, 2, LOOP - (skip + 4)), WAIT);
        m.code(FUNCTION, addi(3, 3, 100), BLR);
        for (int c = 0; c < 4; c++) {
            m.ram.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(m.order()), TABLE + 4L * c,
                    new int[] {CASE0, CASE1, CASE2, CASE3}[c]);
        }
    }

    private static List<Long> run(TestMachine m) {
        return m.runToHalt(0x1000);
    }

    @Test
    void aJumpTableAndCallsThroughARegionAgreeWithTheInterpreter() {
        try (TestMachine interpreted = new TestMachine(0x10000, true);
                TestMachine regions = new TestMachine(0x10000, true)) {
            interpreted.cpu.setBlockTranslation(false);
            regions.cpu.translateThreshold = 1;
            regions.cpu.setRegionThreshold(8);
            load(interpreted);
            load(regions);
            List<Long> expected = run(interpreted);
            // Cases 0, 2 and 3 run 24 times each, case 1 12 times, then case 4 12 times.
            assertEquals(24 * 1 + 12 * 10 + 12 * 1000 + 24 * 100 + 24 * 100, expected.get(3));
            assertEquals(expected, run(regions));
            assertTrue(regions.cpu.regions() > 0, "a region formed: " + regions.cpu.regions());
        }
    }

    @Test
    void theSitesTargetsAreTheCasesTakenAndTheReturnSitesOfTheRegionsCalls() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.cpu.translateThreshold = 1;
            m.cpu.setRegionThreshold(8);
            load(m);
            run(m);
            List<Long> seeds = m.cpu.regionSeedsOf(LOOP);
            assertFalse(seeds.isEmpty(), "a region holds the jump table's block");
            DecodedBlock seed = m.cpu.cachedBlock(seeds.get(0));
            assertNotNull(seed);
            DecodedBlock[] members = seed.regionMembers;
            long[] entries = Arrays.stream(members).mapToLong(b -> b.pc).toArray();
            DecodedBlock table = m.cpu.cachedBlock(LOOP);
            DecodedBlock function = m.cpu.cachedBlock(FUNCTION);
            assertTrue(Arrays.asList(members).contains(table) && Arrays.asList(members).contains(function),
                    "the region holds the jump table and the function: " + Arrays.toString(entries));
            // The first passes took cases 0 to 3 before the region formed; case 4 came later, and
            // is no entry of the region.
            long[] cases = BlockCompiler.siteTargets(members, entries, table);
            Arrays.sort(cases);
            assertArrayEquals(new long[] {CASE0, CASE1, CASE2, CASE3}, cases);
            long[] returns = BlockCompiler.siteTargets(members, entries, function);
            Arrays.sort(returns);
            assertArrayEquals(new long[] {CASE2 + 12, CASE3 + 4}, returns);
            assertArrayEquals(new long[0], BlockCompiler.siteTargets(members, entries, m.cpu.cachedBlock(JOIN)));
        }
    }

    @Test
    void countedCopiesReachRamByItsAddressOnlyWhereItHasTheGlobalScopeAndLiesUnderTheMask() {
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment own = confined.allocate(4096);
            assertEquals(BlockCompiler.COUNTED_BASE, BlockCompiler.based(PpcCpu.translatedRam(own)),
                    "the global view of a confined arena's RAM");
            assertFalse(BlockCompiler.based(own), "the confined segment itself");
            assertFalse(BlockCompiler.based(shared.allocate(4096)), "a shared arena's RAM keeps its liveness checks");
            assertFalse(BlockCompiler.based(MemorySegment.ofArray(new byte[4096])), "heap memory");
            // Host addresses at or above 2^62 would change under the mask (no process has them;
            // the segments are only looked at, never accessed).
            long top = BlockCompiler.HOST_MASK + 1;
            assertEquals(BlockCompiler.COUNTED_BASE, BlockCompiler.based(MemorySegment.ofAddress(top - 4096).reinterpret(4096)),
                    "RAM ending at the mask's last address");
            assertFalse(BlockCompiler.based(MemorySegment.ofAddress(top - 4096).reinterpret(4097)), "RAM crossing 2^62");
            assertFalse(BlockCompiler.based(MemorySegment.ofAddress(-8192).reinterpret(4096)), "RAM at the top of the address space");
        }
    }
}
