package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A loop counted by CTR whose loads and stores step by a constant each pass runs as a counted copy
 * without a test per pass (BlockCompiler.CountedLoop), after tests that every pass it runs would
 * have passed the slow copy's. Each loop here runs interpreted, as translated blocks and in a
 * region, and every register, CTR, the memory it touches, the instructions retired and the way
 * the run ended come out the same: a long copy, update forms, a negative stride with an index
 * register, a copy that runs out of RAM in its last passes, a fill that overwrites code after it,
 * runs cut into short budgets, and a loop entered with CTR at 0.
 */
class CountedLoopsRunExactly {
    private static final long CODE = 0x1000;
    private static final int RAM = 0x10000;

    private static int ld(int rt, int disp, int ra) {
        return d(58, rt, ra, disp & 0xfffc);
    }

    private static int ldx(int rt, int ra, int rb) {
        return x(rt, ra, rb, 21);
    }

    private static int stdx(int rs, int ra, int rb) {
        return x(rs, ra, rb, 149);
    }

    private static int lbzu(int rt, int disp, int ra) {
        return d(35, rt, ra, disp);
    }

    private static int stbu(int rs, int disp, int ra) {
        return d(39, rs, ra, disp);
    }

    private static int stdu(int rs, int disp, int ra) {
        return d(62, rs, ra, disp & 0xfffc) | 1;
    }

    private static int mtctr(int rs) {
        return mtspr(9, rs);
    }

    /** bdnz to {@code offset} bytes from itself. */
    private static int bdnz(int offset) {
        return bc(16, 0, offset);
    }

    /** lis rt,imm; ori rt,rt,low: a 32-bit constant (lis is addis rt,0,imm). */
    private static int[] li32(int rt, int value) {
        return new int[] {d(15, rt, 0, value >>> 16), d(24, rt, rt, value & 0xffff)};
    }

    /**
     * A table lookup per byte (as a table-driven CRC does): r3 steps through bytes, the word at
     * r6 + 4 * byte is added to r11 and, with {@code store}, r11 is stored back into the table
     * entry. r6 is the table's base.
     */
    private static int[] lookups(int table, int passes, boolean store) {
        return program(li32(3, 0x8000 - 1), li32(6, table), li32(5, passes), of(mtctr(5)),
                of(lbzu(9, 1, 3), add(9, 9, 9), add(9, 9, 9), x(10, 6, 9, 23), add(11, 11, 10)),  // lwzx r10,r6,r9
                store ? of(x(11, 6, 9, 151), bdnz(-24)) : of(bdnz(-20)),                             // stwx r11,r6,r9
                of(WAIT));
    }

    /** Starts {@link #overCode} with r3 at the data it fills first. */
    private static int[] overCodeFromData() {
        return program(li32(3, 0xd000), overCode());
    }

    private static int[] program(int[]... parts) {
        List<Integer> all = new ArrayList<>();
        for (int[] p : parts) {
            for (int w : p) {
                all.add(w);
            }
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] of(int... words) {
        return words;
    }

    /** A long doubleword copy, then a byte copy with update forms. */
    private static int[] copies(int passes) {
        return program(
                li32(3, 0x8000), li32(4, 0xa000), li32(5, passes), of(mtctr(5)),
                of(ld(6, 0, 3), addi(3, 3, 8), std(6, 0, 4), addi(4, 4, 8), bdnz(-16)),
                li32(8, 0x8fff), li32(9, 0xbfff), of(li(5, 300), mtctr(5)),
                of(lbzu(7, 1, 8), stbu(7, 1, 9), bdnz(-8)),
                of(WAIT));
    }

    /**
     * A copy whose loop is a whole block: 63 instructions, then its bdnz as the 64th (a block holds
     * at most 64), so the block decoded at the loop's head ends at the loop's back edge.
     */
    private static int[] endingTheBlock() {
        int[] sums = new int[59];
        java.util.Arrays.fill(sums, add(11, 11, 6));
        return program(li32(3, 0x8000), li32(4, 0xa000), li32(5, 200), of(mtctr(5)),
                of(ld(6, 0, 3), addi(3, 3, 8), std(6, 0, 4), addi(4, 4, 8)), sums, of(bdnz(-4 * 63)),
                of(WAIT));
    }

    /** Down from the top, an index register that does not change: ldx/stdx at r3 + r10. */
    private static int[] downward() {
        return program(
                li32(3, 0x8ff8), li32(4, 0xcff8), li32(10, 0x100), of(li(5, 400), mtctr(5)),
                of(ldx(6, 3, 10), addi(3, 3, -8), add(11, 11, 6), stdx(6, 4, 10), addi(4, 4, -8), bdnz(-20)),
                of(WAIT));
    }

    /** A copy whose last passes load beyond RAM: it leaves at the first of them as the interpreter does. */
    private static int[] pastRam() {
        return program(
                li32(3, RAM - 0x800), li32(4, 0x9000), li32(5, 0x200), of(mtctr(5)),
                of(ld(6, 0, 3), addi(3, 3, 8), stdu(6, 8, 4), bdnz(-12)),
                of(WAIT));
    }

    /**
     * A fill run twice: first over data while the 40 words after the loop (li r20,1) run and are
     * translated, then over those words (li r20,7), which must then run as written. r21 sums r20
     * after each pass.
     */
    private static int[] overCode() {
        int before = 2 + 7; // overCodeFromData's li32, then head's 7 words before the loop
        int loopWords = 4;
        long after = CODE + 4L * (before + loopWords);
        int fill = li(20, 7);
        int[] tail = new int[40];
        java.util.Arrays.fill(tail, li(20, 1));
        int[] head = program(li32(6, fill), of(li(5, 20), mtctr(5)), of(NOP, NOP, NOP),
                of(stw(6, 0, 3), stw(6, 4, 3), addi(3, 3, 8), bdnz(-12)));
        int[] next = program(of(add(21, 21, 20), addi(22, 22, 1), cmpdi(22, 2), bc(12, 2, 16)),
                li32(3, (int) after), of(b(-4 * (head.length + tail.length + 6))), of(WAIT));
        return program(head, tail, next);
    }

    private static TestMachine machine(String tier) {
        TestMachine m = new TestMachine(RAM, true);
        m.tier(tier);
        for (long a = 0x8000; a < 0xe000; a += 8) {
            m.write64(a, a * 0x9e3779b97f4a7c15L);
        }
        return m;
    }

    /** Everything the loops can change, after a run: the exit, the registers, CTR, PC, the count, RAM. */
    private static List<Object> state(TestMachine m, PpcExit e) {
        List<Object> s = new ArrayList<>();
        s.add(e instanceof PpcExit.Mmio mmio ? "mmio " + mmio.access() : e.getClass().getSimpleName());
        for (int r = 0; r < 32; r++) {
            s.add(m.cpu.gpr(r));
        }
        s.add(m.cpu.ctr());
        s.add(m.cpu.pc().value());
        s.add(m.cpu.retiredInstructions());
        byte[] ram = new byte[RAM];
        m.ram.asByteBuffer().get(ram);
        s.add(java.util.Arrays.hashCode(ram));
        return s;
    }

    /** Runs {@code code} from CODE, {@code step} instructions per call to run, until it halts, exits or {@code calls} calls. */
    private static List<List<Object>> runs(String tier, int[] code, long step, int calls) {
        return runs(tier, m -> m.code(CODE, code), step, calls);
    }

    private static List<List<Object>> runs(String tier, java.util.function.Consumer<TestMachine> load, long step,
            int calls) {
        try (TestMachine m = machine(tier)) {
            load.accept(m);
            m.cpu.setPc(new GuestAddress(CODE));
            List<List<Object>> seen = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                PpcExit e = m.cpu.run(step);
                seen.add(state(m, e));
                if (!(e instanceof PpcExit.BudgetExhausted)) {
                    break;
                }
            }
            return seen;
        }
    }

    private static void sameInEveryTier(int[] code, long step, int calls) {
        sameInEveryTier(m -> m.code(CODE, code), step, calls);
    }

    private static void sameInEveryTier(java.util.function.Consumer<TestMachine> load, long step, int calls) {
        List<List<Object>> interpreted = runs("interpreted", load, step, calls);
        assertEquals(interpreted, runs("blocks", load, step, calls), "translated blocks");
        assertEquals(interpreted, runs("regions", load, step, calls), "regions");
    }

    /**
     * A fill run twice, its loop at CODE and the code it fills at 0x3f00, 128 words (addi
     * r20,r20,1) over two pages: first over data while those words run (and are translated), then
     * over all of them, its last passes in the second page only. Each word must then run as the
     * fill wrote it (addi r20,r20,7): the fill's stores to the first page are as much stores into
     * code as its last. r21 sums r20 after each pass.
     */
    private static void overTwoCodePages(TestMachine m) {
        int fill = addi(20, 20, 7);
        m.code(CODE, program(li32(3, 0xd000), li32(6, fill), of(li(5, 64), mtctr(5)),
                of(stw(6, 0, 3), stw(6, 4, 3), addi(3, 3, 8), bdnz(-12)),
                of(b((int) (0x3f00 - (CODE + 40))))));                          // on at 0x3f00
        int[] words = new int[129];
        java.util.Arrays.fill(words, addi(20, 20, 1));
        words[128] = b(0x3000 - 0x4100);                                     // to 0x3000
        m.code(0x3f00, words);
        m.code(0x3000, program(of(add(21, 21, 20), addi(22, 22, 1), cmpdi(22, 2), bc(12, 2, 16)),
                li32(3, 0x3f00), of(b((int) (CODE + 8 - 0x3018))), of(WAIT)));  // again from li32(6)
    }

    @Test
    void aLongCopyAndAByteCopyWithUpdateFormsMatchTheInterpreter() {
        List<List<Object>> runs = runs("interpreted", copies(1000), 1_000_000, 1);
        assertEquals("Halted", runs.get(0).get(0));
        sameInEveryTier(copies(1000), 1_000_000, 1);
    }

    @Test
    void aLoopWhoseBdnzEndsTheBlockMatchesTheInterpreter() {
        DecodedBlock loop = decode(java.util.Arrays.copyOfRange(endingTheBlock(), 7, 7 + PpcCpu.MAX_BLOCK));
        BlockCompiler.CountedLoop counted = BlockCompiler.countedLoop(loop, loop.insns.length);
        assertEquals(List.of(0, PpcCpu.MAX_BLOCK - 1), List.of(counted.start(), counted.end()));
        sameInEveryTier(endingTheBlock(), 1_000_000, 1);
        for (long step : new long[] {1100, 1101, 1102, 1103, 2000, 4097, 5000}) {
            sameInEveryTier(endingTheBlock(), step, 10_000);
        }
    }

    @Test
    void aCopyDownwardThroughAnIndexRegisterMatchesTheInterpreter() {
        sameInEveryTier(downward(), 1_000_000, 1);
    }

    /**
     * Sums a word below and a word above a pointer stepping by 8 (r3, its lowest access 4 bytes
     * below it), a doubleword at a pointer that does not step (r4), and stores each sum through a
     * pointer stepping by 4 (r9), 300 passes: where counted copies reach RAM at its host address,
     * each stepping register's accesses count from its lowest (BlockCompiler's HOST_B), the one
     * that does not step too.
     */
    private static int[] sums() {
        return program(li32(3, 0x8004), li32(4, 0x9000), li32(9, 0xa000), of(li(11, 0), li(5, 300), mtctr(5)),
                of(lwz(5, -4, 3), lwz(6, 12, 3), ld(7, 0, 4), add(11, 11, 5), add(11, 11, 6), add(11, 11, 7),
                        stw(11, 4, 9), addi(3, 3, 8), addi(9, 9, 4), bdnz(-36)),
                of(WAIT));
    }

    @Test
    void accessesBelowAndAboveASteppingPointerAndThroughOneThatStaysMatchTheInterpreter() {
        DecodedBlock b = decode(sums());
        BlockCompiler.CountedLoop loop = BlockCompiler.countedLoop(b, b.insns.length);
        assertNotNull(loop);
        assertNull(loop.bulk());
        sameInEveryTier(sums(), 1_000_000, 1);
        for (long step : new long[] {100, 1001, 1777}) {
            sameInEveryTier(sums(), step, 10_000);
        }
    }

    @Test
    void aCopyRunningOutOfRamLeavesAtTheFirstLoadBeyondItInEveryTier() {
        List<List<Object>> runs = runs("interpreted", pastRam(), 1_000_000, 1);
        assertEquals("mmio", ((String) runs.get(0).get(0)).substring(0, 4), runs.get(0).get(0).toString());
        assertEquals((long) RAM, runs.get(0).get(4), "r3 at RAM's end");
        sameInEveryTier(pastRam(), 1_000_000, 1);
    }

    @Test
    void aLoopPollingADeviceRegisterBeyondRamExitsAtItsFirstLoad() {
        // A driver's bounded poll: the same address each pass, past RAM's end (MMIO).
        int[] code = program(li32(3, RAM + 0x100), of(li(5, 100), mtctr(5)),
                of(lwz(6, 0, 3), addi(7, 7, 1), bdnz(-8)), of(WAIT));
        List<List<Object>> runs = runs("interpreted", code, 1_000_000, 1);
        assertEquals("mmio MmioAccess[address=0x10100, size=4, order=LITTLE_ENDIAN, write=false, value=0]",
                runs.get(0).get(0));
        assertEquals(4L, runs.get(0).get(35), "retired before the load");
        sameInEveryTier(code, 1_000_000, 1);
    }

    @Test
    void tableLookupsTestedOnEveryPassMatchTheInterpreter() {
        List<List<Object>> runs = runs("interpreted", lookups(0xa000, 3000, true), 1_000_000, 1);
        assertEquals("Halted", runs.get(0).get(0));
        sameInEveryTier(lookups(0xa000, 3000, false), 1_000_000, 1);
        sameInEveryTier(lookups(0xa000, 3000, true), 1_000_000, 1);
        for (long step : new long[] {150, 151, 152, 153, 154, 200, 1000, 4097}) {
            sameInEveryTier(lookups(0xa000, 3000, true), step, 10_000);
        }
    }

    @Test
    void aLookupBeyondRamLeavesFromTheCountedPassesWithCtrAndTheCountAsTheInterpreterHasThem() {
        // The table's last 0x3f0 bytes are in RAM: the first byte of 252 or more reads past it,
        // some passes into the counted copy's.
        List<List<Object>> runs = runs("interpreted", lookups(RAM - 0x3f0, 3000, false), 1_000_000, 1);
        assertEquals("mmio", ((String) runs.get(0).get(0)).substring(0, 4), runs.get(0).get(0).toString());
        long ctr = (Long) runs.get(0).get(33);
        assertEquals(true, ctr > 0 && ctr < 3000 - 16, "left after 16 passes or more, CTR " + ctr);
        sameInEveryTier(lookups(RAM - 0x3f0, 3000, false), 1_000_000, 1);
    }

    @Test
    void aLookupStoringIntoCodeLeavesFromTheCountedPassesToTheInterpreter() {
        // The table is the code page: each store is a store into code.
        sameInEveryTier(lookups((int) CODE, 3000, true), 1_000_000, 1);
    }

    @Test
    void aFillOverTheCodeAfterItRunsTheCodeItWrote() {
        List<List<Object>> runs = runs("interpreted", overCodeFromData(), 1_000_000, 1);
        assertEquals("Halted", runs.get(0).get(0));
        assertEquals(7L, runs.get(0).get(1 + 20), "r20 from the li the fill wrote");
        assertEquals(8L, runs.get(0).get(1 + 21), "r20 was 1, then 7");
        sameInEveryTier(overCodeFromData(), 1_000_000, 1);
    }

    @Test
    void aFillOverCodeInTwoPagesRunsTheCodeItWroteInBoth() {
        List<List<Object>> runs = runs("interpreted", CountedLoopsRunExactly::overTwoCodePages, 1_000_000, 1);
        assertEquals("Halted", runs.get(0).get(0));
        assertEquals(128L + 128 * 7, runs.get(0).get(1 + 20), "128 words adding 1, then 128 adding 7");
        assertEquals(128L + 128 + 128 * 7, runs.get(0).get(1 + 21));
        sameInEveryTier(CountedLoopsRunExactly::overTwoCodePages, 1_000_000, 1);
    }

    @ParameterizedTest(name = "{0} instructions per run")
    @ValueSource(longs = {7, 37, 100, 1000, 4095, 4097})
    void runsCutIntoBudgetsStopAtTheSameInstructions(long step) {
        sameInEveryTier(copies(1000), step, 10_000);
    }

    @Test
    void everyBudgetFrom150To270StopsAtTheSameInstructions() {
        for (long step = 150; step <= 270; step++) {
            sameInEveryTier(copies(400), step, 10_000);
        }
    }

    @Test
    void aLoopEnteredWithCtrAtZeroCountsDownFromTwoToTheSixtyFour() {
        int[] code = program(li32(3, 0x8000), of(li(5, 0), mtctr(5)),
                of(ld(6, 0, 3), addi(7, 7, 1), bdnz(-8)), of(WAIT));
        List<List<Object>> runs = runs("interpreted", code, 50_000, 3);
        assertEquals(3, runs.size());
        // 4 instructions, then 49,998 passes of 3 and 2 of the next: CTR went from 0 down 49,998 times.
        assertEquals(-49_998L, runs.get(2).get(33), "CTR after the passes run");
        sameInEveryTier(code, 50_000, 3);
    }

    @Test
    void theAnalysisFindsAffineAccessesAndRefusesTheRest() {
        DecodedBlock copy = decode(copies(1000));
        BlockCompiler.CountedLoop loop = BlockCompiler.countedLoop(copy, copy.insns.length);
        assertNotNull(loop);
        assertEquals(7, loop.start());
        assertEquals(11, loop.end());
        assertEquals(3, loop.base()[7]);
        assertEquals(0, loop.offset()[7]);
        assertEquals(8, loop.stride()[7]);
        assertEquals(4, loop.base()[9]);
        assertEquals(8, loop.stride()[9]);
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1, -1, -1, 3, -1, 4, -1},
                java.util.Arrays.copyOf(loop.base(), 11));
        // An address from a loaded value (a table lookup): tested on every pass.
        DecodedBlock table = decode(program(of(li(5, 100), mtctr(5)),
                of(lbzu(9, 1, 8), ldx(10, 6, 9), bdnz(-8)), of(WAIT)));
        BlockCompiler.CountedLoop lookup = BlockCompiler.countedLoop(table, table.insns.length);
        assertNotNull(lookup);
        assertEquals(8, lookup.base()[2]);
        assertEquals(1, lookup.stride()[2]);
        assertEquals(BlockCompiler.CHECKED, lookup.base()[3]);
        // CTR written in the loop.
        DecodedBlock writes = decode(program(of(li(5, 100), mtctr(5)),
                of(ld(6, 0, 3), mtctr(6), bdnz(-8)), of(WAIT)));
        assertNull(BlockCompiler.countedLoop(writes, writes.insns.length));
        // CTR set to a constant too small to pay.
        DecodedBlock small = decode(program(of(li(5, (int) BlockCompiler.COUNTED_MIN), mtctr(5)),
                of(ld(6, 0, 3), addi(3, 3, 8), bdnz(-8)), of(WAIT)));
        assertNull(BlockCompiler.countedLoop(small, small.insns.length));
        assertEquals(BlockCompiler.COUNTED_MIN, BlockCompiler.ctrBefore(small.insns, 2));
        DecodedBlock large = decode(program(of(li(5, (int) BlockCompiler.COUNTED_MIN + 1), mtctr(5)),
                of(ld(6, 0, 3), addi(3, 3, 8), bdnz(-8)), of(WAIT)));
        assertNotNull(BlockCompiler.countedLoop(large, large.insns.length));
    }

    /**
     * gcc's two-doubleword copy loop (copy_bytes in the benchmark suite) from {@code src} to
     * {@code dst}: each pass loads and stores through the temporaries r0, r6 and r7 and steps r9
     * and r10 by 16.
     */
    private static int[] unrolledCopy(int src, int dst, int passes) {
        return program(li32(9, src - 8), li32(10, dst - 8), li32(7, passes), of(mtctr(7)),
                of(ld(0, 8, 9), addi(6, 9, 8), addi(7, 10, 8), addi(9, 9, 16), addi(10, 10, 16), std(0, -8, 10),
                        ld(6, 8, 6), std(6, 8, 7), bdnz(-32)),
                of(WAIT));
    }

    /** gcc's four-doubleword fill loop (fill_bytes in the benchmark suite) of r8, set by {@code value}. */
    private static int[] unrolledFill(int dst, int[] value, int passes) {
        return program(li32(10, dst - 8), value, li32(6, passes), of(mtctr(6)),
                of(std(8, 8, 10), std(8, 16, 10), addi(10, 10, 32), std(8, -8, 10), std(8, 0, 10), bdnz(-20)),
                of(WAIT));
    }

    @Test
    void copiesAndFillsThatOnlyMoveMemoryAreFoundAsBulkMoves() {
        DecodedBlock copy = decode(unrolledCopy(0x8000, 0xa000, 300));
        BlockCompiler.Bulk c = BlockCompiler.countedLoop(copy, copy.insns.length).bulk();
        assertNotNull(c);
        assertEquals(List.of(true, 10, 8L, 16L, 9, 8L), List.of(c.copy(), c.dstBase(), c.dstLow(), c.span(), c.srcBase(),
                c.srcLow()));
        assertArrayEquals(new int[] {9, 10}, c.regs());
        assertArrayEquals(new long[] {16, 16}, c.steps());
        DecodedBlock fill = decode(unrolledFill(0xa000, of(li(8, -1)), 300));
        BlockCompiler.Bulk f = BlockCompiler.countedLoop(fill, fill.insns.length).bulk();
        assertNotNull(f);
        assertEquals(List.of(false, 10, 8L, 32L, 8, 8), List.of(f.copy(), f.dstBase(), f.dstLow(), f.span(), f.value(),
                f.size()));
        assertArrayEquals(new int[] {10}, f.regs());
        // copies() holds a doubleword copy and a byte copy with update forms.
        DecodedBlock words = decode(copies(1000));
        assertNotNull(BlockCompiler.countedLoop(words, words.insns.length).bulk());
        // A sum besides the copy (add), a store of the previous pass's load (r6 carried), a store
        // of a value the pass changes, a gap between a pass's stores: none is a bulk move.
        for (int[] body : List.of(
                of(ld(6, 0, 3), addi(3, 3, 8), add(11, 11, 6), std(6, 0, 4), addi(4, 4, 8), bdnz(-20)),
                of(std(6, 0, 4), ld(6, 0, 3), addi(3, 3, 8), addi(4, 4, 8), bdnz(-16)),
                of(addi(8, 8, 1), std(8, 0, 4), addi(4, 4, 8), bdnz(-12)),
                of(std(8, 0, 4), addi(4, 4, 16), bdnz(-8)))) {
            DecodedBlock b = decode(program(li32(5, 300), of(mtctr(5)), body, of(WAIT)));
            BlockCompiler.CountedLoop loop = BlockCompiler.countedLoop(b, b.insns.length);
            assertNotNull(loop);
            assertNull(loop.bulk(), () -> "not a bulk move: " + java.util.Arrays.toString(body));
        }
    }

    @ParameterizedTest(name = "destination {0}")
    @ValueSource(ints = {0xa000, 0x8008, 0x7ff8, 0x8010, 0x9000})
    void bulkCopiesMatchTheInterpreterAlsoWhereSourceAndDestinationOverlap(int dst) {
        // 0x8008 and 0x7ff8 overlap the source by a doubleword each way, 0x8010 by a pass: the
        // passes then run one by one; 0xa000 and 0x9000 (just after the source's end) do not.
        int[] code = unrolledCopy(0x8000, dst, 256);
        List<List<Object>> runs = runs("interpreted", code, 1_000_000, 1);
        assertEquals("Halted", runs.get(0).get(0));
        sameInEveryTier(code, 1_000_000, 1);
        for (long step : new long[] {100, 1000, 1031, 2047}) {
            sameInEveryTier(code, step, 10_000);
        }
    }

    @Test
    void bulkFillsMatchTheInterpreterForOneByteRepeatedAndOtherwise() {
        for (int[] value : List.of(of(li(8, -1)), of(li(8, 0)), li32(8, 0x42424242), li32(8, 0x01020304))) {
            // At every alignment of the destination to a doubleword (BlockCompiler.fill stores an
            // even address's byte alone).
            for (int dst : new int[] {0xa000, 0xa001, 0xa002, 0xa003, 0xa004}) {
                int[] code = unrolledFill(dst, value, 200);
                sameInEveryTier(code, 1_000_000, 1);
                sameInEveryTier(code, 777, 10_000);
            }
        }
        // One byte a pass, stbu: always one byte repeated.
        int[] bytes = program(li32(3, 0x9fff), of(li(4, 0x5a), li(5, 1000), mtctr(5)), of(stbu(4, 1, 3), bdnz(-4)),
                of(WAIT));
        sameInEveryTier(bytes, 1_000_000, 1);
    }

    @Test
    void theBulkFillWritesExactlyItsBytesFromEvenAndOddOffsets() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment ram = arena.allocate(64);
            for (long at = 8; at < 12; at++) {
                for (long bytes : new long[] {1, 2, 3, 17, 40}) {
                    ram.fill((byte) 0x11);
                    BlockCompiler.fill(ram, at, bytes, (byte) 0xa5);
                    for (long i = 0; i < 64; i++) {
                        byte want = i >= at && i < at + bytes ? (byte) 0xa5 : (byte) 0x11;
                        assertEquals(want, ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i),
                                "byte " + i + " after a fill of " + bytes + " from " + at);
                    }
                }
            }
        }
    }

    @Test
    void thePropertyTakesOnOrOffAndNamesAnythingElse() {
        assertEquals(true, BlockCompiler.onOff("jvmm.ppc.countedLoops", null));
        assertEquals(true, BlockCompiler.onOff("jvmm.ppc.countedLoops", "on"));
        assertEquals(false, BlockCompiler.onOff("jvmm.ppc.countedLoops", " off "));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BlockCompiler.onOff("jvmm.ppc.countedLoops", "no"));
        assertEquals("system property jvmm.ppc.countedLoops: 'no' is neither on nor off", e.getMessage());
    }

    /** The whole of {@code code} as one block (a real block would end at its first bdnz's target's loop or WAIT). */
    private static DecodedBlock decode(int[] code) {
        DecodedInsn[] insns = new DecodedInsn[code.length];
        for (int i = 0; i < code.length; i++) {
            insns[i] = PpcDecoder.decode(code[i], CODE + 4L * i);
        }
        return new DecodedBlock(CODE, true, insns);
    }
}
