package org.jvmm.kvm.soft.ppc;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_byte;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_short;
import static java.lang.constant.ConstantDescs.CD_void;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * Translates a hot {@link DecodedBlock} into JVM bytecode (java.lang.classfile), defined as a hidden
 * class in this package so that it reads and writes the CPU's package-private state directly; the
 * JVM's JIT then compiles it to host code like any Java method.
 *
 * <p>The generated {@link CompiledBlock#run} loads the guest registers the block names into JVM
 * locals, runs the instructions on the locals, and writes back what it changed at its one common
 * exit. A conditional branch inside the block is a conditional exit. A branch to the block's
 * own start (at its end or inside it) becomes a JVM loop bounded by the instruction limit.
 * Loads and stores test the RAM bounds (constants: the class is made for one CPU) and, for stores
 * that fall in the address span the code pages cover (one unsigned compare against
 * {@link BlockCache#codeRange()}), the page-holds-code flags; either test failing is a side exit
 * that hands the instruction to the interpreter with all earlier instructions complete (the
 * interpreter handles MMIO exits and code invalidation). Only the common fixed-point subset is
 * translated (no XER OV forms, no SPR/MSR access, no traps, sc or larx/stcx.); a block is
 * translated up to its first instruction outside that subset, which is then handed to the
 * interpreter like a side exit. The CPU's RAM segment, code-page flags and code span are the
 * hidden class's class data, loaded as constants; a region has the code span as it was when the
 * region was made baked in as two numbers instead (the run loop drops the region once the span
 * grows).
 *
 * <p>A region ({@link #compileRegion}) is several blocks in one method: a branch to an instruction
 * any member translates is a jump inside the method, so loops across blocks, calls and returns run
 * without leaving JVM code. A single block is translated as a region of one. The ALU operations
 * are emitted inline, not called: in a large method C2 stops inlining ordinary calls once its node
 * budget is spent (only the force-inlined MemorySegment accesses still are).
 *
 * <p>Stateless; {@link #compile} may be called from any thread.
 */
final class BlockCompiler {
    private BlockCompiler() {
    }

    /**
     * A directory to write every generated class file to, as {@code Jit_<pc in hex>.class}, for
     * {@code javap -c}; unset (the default), nothing is written.
     */
    private static final String DUMP_DIR = System.getProperty("jvmm.ppc.dumpTranslated");

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final ClassFile CLASS_FILE = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.defaultResolver().orElse(
                    ClassHierarchyResolver.ofClassLoading(BlockCompiler.class.getClassLoader()))));

    private static final ClassDesc CD_CPU = ClassDesc.of("org.jvmm.kvm.soft.ppc.PpcCpu");
    private static final ClassDesc CD_ALU = ClassDesc.of("org.jvmm.kvm.soft.ppc.Alu");
    private static final ClassDesc CD_COMPILER = ClassDesc.of("org.jvmm.kvm.soft.ppc.BlockCompiler");
    private static final ClassDesc CD_BLOCK = ClassDesc.of("org.jvmm.kvm.soft.ppc.CompiledBlock");
    private static final ClassDesc CD_SEGMENT = ClassDesc.of("java.lang.foreign.MemorySegment");
    private static final ClassDesc CD_VALUE_LAYOUT = ClassDesc.of("java.lang.foreign.ValueLayout");
    private static final ClassDesc CD_OF_BYTE = ClassDesc.of("java.lang.foreign.ValueLayout$OfByte");
    private static final ClassDesc CD_OF_SHORT = ClassDesc.of("java.lang.foreign.ValueLayout$OfShort");
    private static final ClassDesc CD_OF_INT = ClassDesc.of("java.lang.foreign.ValueLayout$OfInt");
    private static final ClassDesc CD_OF_LONG = ClassDesc.of("java.lang.foreign.ValueLayout$OfLong");
    private static final ClassDesc CD_LONG_BOX = ClassDesc.of("java.lang.Long");
    private static final ClassDesc CD_INTEGER = ClassDesc.of("java.lang.Integer");
    private static final ClassDesc CD_MATH = ClassDesc.of("java.lang.Math");
    private static final MethodTypeDesc J_JJ = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    private static final MethodTypeDesc J_JI = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    private static final MethodTypeDesc I_JI = MethodTypeDesc.of(CD_int, CD_long, CD_int);
    private static final MethodTypeDesc I_JJ = MethodTypeDesc.of(CD_int, CD_long, CD_long);

    // Local variable slots of the generated run(PpcCpu cpu, int limit).
    private static final int CPU = 1;
    private static final int LIMIT = 2;
    /**
     * Instructions left before CHECK (see enter): the count retired so far is CHECK - LEFT, so an
     * edge subtracts its instructions and tests the sign, with one value live for the budget.
     */
    private static final int LEFT = 3;
    private static final int IDX = 4;
    private static final int CR = 5;
    private static final int SO = 6;
    private static final int CA = 7;
    private static final int CA32 = 8;
    private static final int N = 9;
    private static final int RAM = 10;
    private static final int CODE_PAGES = 11;
    private static final int GPRS = 12;
    private static final int LR = 13;
    private static final int CTR = 15;
    private static final int EA = 17;
    private static final int VAL = 19;
    private static final int A = 21;
    private static final int GPR0 = 23;
    /** The common exit's inputs: the next PC and the instructions retired. */
    private static final int NEXT = GPR0 + 64;
    private static final int RET = NEXT + 2;
    /** A scratch long for the inline ALU sequences. */
    private static final int T1 = RET + 1;
    /** The count at which an edge next tests the limit and the attention flag (see enter). */
    private static final int CHECK = T1 + 2;
    /**
     * {@link BlockCache#codeRange()}'s two words, read once on entry (the range only grows when
     * code is decoded, which never happens while translated code runs): stores outside it skip
     * the code-page flags.
     */
    private static final int CODE_LOW = CHECK + 1;
    private static final int CODE_SPAN = CODE_LOW + 2;
    /**
     * Per CR field f, CRF + f says how the field is held. {@link #SIGNED} or {@link #UNSIGNED}: it
     * is the outcome of a compare not yet made, of the longs in {@link #CRA} + 2f and {@link #CRB}
     * + 2f in that order (LT, GT or EQ, with SO as the method found it: translated code does not
     * change SO). Any other value is (nibble << 8) | 0x80, a field written otherwise (loaded from
     * the CPU, mtcrf, a CR logical). A compare thus costs nothing but its operands kept alive: a
     * branch tests the operands themselves, and the nibble is made only where the CR is read as a
     * field or a whole, or written back. (Held as a compare's -1, 0 or 1, the field cost every
     * compare a three-way result and a branch of the JIT's own, made on the hot path because side
     * exits need it.) Where the paths that meet agree on the kind, the JIT folds the kind's tests.
     */
    private static final int CRF = CODE_SPAN + 2;
    /** Per CR field f, CRA + 2f: the first operand of the compare that set the field. */
    private static final int CRA = CRF + 8;
    /** Per CR field f, CRB + 2f: the second operand of the compare that set the field. */
    private static final int CRB = CRA + 16;
    /** A counted pass ({@link CountedLoop}): the pass (int), from 0. */
    private static final int LOOP_T = CRB + 16;
    /** A counted loop's CTR on entry (int, {@link #COUNTED_MIN} + 1 to {@link #COUNTED_MAX}). */
    private static final int LOOP_N = LOOP_T + 1;
    /** The passes the counted copy runs (int, {@link #COUNTED_MIN} to LOOP_N - 1). */
    private static final int LOOP_M = LOOP_N + 1;
    /** Per register r, LOOP_B + 2r: its value on entry to the counted copy, where an access's address starts. */
    private static final int LOOP_B = LOOP_M + 1;
    /** Where counted copies use {@link #COUNTED_BASE}: the RAM's host address (long), read on entry. */
    private static final int RAM_BASE = LOOP_B + 64;
    /** Where counted copies use {@link #COUNTED_BASE}: {@link #ALL_MEMORY}. */
    private static final int ALL = RAM_BASE + 2;
    /**
     * Per register r, HOST_B + 2r: in a counted copy where r steps forward (or not at all), the host
     * address of its lowest access on entry, under {@link #HOST_MASK} (see {@link Emitter#hostBases}).
     */
    private static final int HOST_B = ALL + 1;
    /** The most passes a counted copy is entered for (CTR at most this), so that no address sum overflows. */
    static final long COUNTED_MAX = 1L << 20;
    /**
     * The fewest passes the counted copy runs: fewer pay less than the JIT's setup of an
     * int-counted loop costs. Matmul's k loop, 11 passes a time, ran at 0.9x counted while the
     * copy reached RAM at a 64-bit constant per access; through the RAM's address in a register
     * ({@link #COUNTED_BASE}) it runs at 1.06x with 8 here against 16, and 4 gains nothing more
     * (PpcSuiteRate, pinned side by side; the other kernels within 1%).
     */
    static final long COUNTED_MIN = 8;
    /** The largest stride per pass, either way, a counted loop's address may have. */
    static final long STRIDE_MAX = 1L << 20;

    /** CRF + f for a field that is the signed compare of its operands. */
    private static final int SIGNED = 0;
    /** CRF + f for a field that is the unsigned compare of its operands. */
    private static final int UNSIGNED = 1;
    /** Encoded fields at or above this are raw nibbles (see {@link #CRF}). */
    private static final int RAW_FIELD = 0x80;

    /**
     * How many leading instructions of {@code b} can be translated: all of them, or up to the first
     * one that cannot (which the translation then hands to the interpreter).
     */
    static int translatablePrefix(DecodedBlock b) {
        DecodedInsn[] insns = b.insns;
        for (int i = 0; i < insns.length; i++) {
            if (!translatable(insns[i], i == insns.length - 1)) {
                return i;
            }
        }
        return insns.length;
    }

    /**
     * True if {@code d} can be translated (conditional relative branches anywhere in a block,
     * other branches only as its last instruction).
     */
    static boolean translatable(DecodedInsn d, boolean last) {
        return supported(d) || d.op() == Op.BC || (last && isBranch(d.op()));
    }

    /**
     * A loop in a block that CTR counts, run without a test per pass: instructions {@code start}
     * to {@code end - 1}, then {@code bdnz} back to {@code start} at {@code end}, with no other
     * branch, and no instruction that reads or writes CTR or can leave by itself (a division). A
     * load or store is affine where its address is a register whose value the loop steps by a
     * constant each pass (or keeps), plus a constant: per such instruction i, {@code base[i]} is
     * that register (or {@link PpcDecoder#ZERO}: the address is the constant), {@code offset[i]}
     * the constant and {@code stride[i]} the base's step. Any other access ({@link #CHECKED}, a
     * table lookup) is tested on every pass as in the slow copy; -1 in {@code base} for the
     * instructions that access no memory.
     *
     * <p>The block's translation holds the loop twice. The slow copy is the loop as any other
     * code translates: every access tested, every store tested against the code pages, the
     * budget tested on each back edge. Before it, where the loop is entered and where its back
     * edge has set a new CHECK, the counted copy tests once what the slow copy would test on
     * every pass: that CTR allows {@link #COUNTED_MIN} + 1 to {@link #COUNTED_MAX} passes, that
     * every access of every pass the counted copy will run is in RAM, and that no store of them
     * reaches the code range ({@link BlockCache#codeRange()}). It runs as many passes as the slow
     * copy would run back edges before its budget's slow path, at most CTR - 1, with no test at
     * all but those of its {@link #CHECKED} accesses, whose side exit first sets CTR and the
     * budget to what the slow copy would hold there: the JIT sees an int-counted loop, unrolls it
     * and hoists the memory segment's own bounds checks for the affine accesses (memops' fill
     * loop: eight stores in a row). Then CTR and the budget are
     * counted down by those passes, and the slow copy runs the rest. Where a test fails the
     * slow copy runs the whole loop. The guest sees the same instructions, stores, exits and
     * counts in either.
     */
    record CountedLoop(int start, int end, int[] base, long[] offset, long[] stride, Bulk bulk) {
    }

    /**
     * A counted loop that does nothing but move memory forward ({@link #bulk}), its passes as one
     * memory copy or fill: per pass its stores write {@code span} bytes in a row from {@code
     * dstLow} past the value of register {@code dstBase} at the pass's start, and every pass
     * steps that register by {@code span}; a copy's stores write what its loads read from {@code
     * srcLow} past register {@code srcBase} (the same byte layout), a fill's store register
     * {@code value}, which the loop does not change, {@code size} bytes at a time. {@code regs}
     * are the registers the loop steps, by {@code steps}; every other register it writes is
     * written in each pass before it is read.
     *
     * <p>The counted copy then moves the memory of all its passes but the last at once, where a
     * copy's source and destination do not overlap and a fill's value is one byte repeated (else
     * it runs its passes one by one), sets the stepped registers to their values at the last
     * pass's start, and runs the last pass as code: every register the loop writes ends as
     * without the shortcut, and the memory too, since without overlap the order of the copies
     * does not matter. Its tests (every access in RAM, no store in the code range) stand for
     * these passes as for those it runs one by one.
     */
    record Bulk(boolean copy, int dstBase, long dstLow, long span, int srcBase, long srcLow, int value, int size,
            int[] regs, long[] steps) {
    }

    /** {@link CountedLoop#base} of an access whose address is not affine: tested on every pass. */
    static final int CHECKED = -2;

    /**
     * Whether loops counted by CTR get a counted copy: system property {@code
     * jvmm.ppc.countedLoops}, {@code on} (the default) or {@code off} (to measure one against the
     * other in one build).
     */
    static final boolean COUNTED_LOOPS = onOff("jvmm.ppc.countedLoops", System.getProperty("jvmm.ppc.countedLoops"));

    /**
     * Whether a counted copy reaches RAM through its host address, where the RAM segment has the
     * global scope (so that no liveness check is lost): system property {@code
     * jvmm.ppc.countedBase}, {@code on} (the default) or {@code off}. Every access is then to
     * {@link #ALL_MEMORY} at the address read from the CPU on entry plus the guest address (under
     * {@link #HOST_MASK}), not to the RAM segment, a constant, at the guest address: the JIT folds
     * a constant segment's address and each access's constant offset into a 64-bit constant of
     * its own, a register and an instruction per access of an unrolled loop, where an address in
     * a register takes the offset as a displacement. Only counted copies: elsewhere the second
     * bounds check, of the address against all of memory, costs more than the constants
     * (JMH-free PpcSuiteRate, pinned side by side: memops 1.12x, qsort and branchy 0.96-0.97x
     * when every access went this way; masked, so that the second check goes, qsort 0.98x and
     * branchy 0.96x).
     */
    static final boolean COUNTED_BASE = onOff("jvmm.ppc.countedBase", System.getProperty("jvmm.ppc.countedBase"));

    /**
     * Whether a region's branch through LR or CTR first tries a dispatch of its own over the
     * entries it is known to go to (see Emitter#dynamicEdge): system property {@code
     * jvmm.ppc.siteDispatch}, {@code on} (the default) or {@code off}.
     */
    static final boolean SITE_DISPATCH = onOff("jvmm.ppc.siteDispatch", System.getProperty("jvmm.ppc.siteDispatch"));

    /** An on/off system property's value: on if unset. */
    static boolean onOff(String property, String value) {
        if (value == null || value.strip().equals("on")) {
            return true;
        }
        if (value.strip().equals("off")) {
            return false;
        }
        throw new IllegalArgumentException("system property " + property + ": '" + value + "' is neither on nor off");
    }

    /**
     * Fills {@code bytes} bytes of {@code ram} from offset {@code at} with {@code value}: a bulk
     * fill's memory ({@link Bulk}). Where {@code at} is even, its byte is stored alone and the
     * rest filled from the odd offset after it. The JDK's fill stores in units of the alignment
     * that the address and the length share, for atomicity (two bytes a store where both are
     * even but not a multiple of four); from an odd address it takes its vectorised byte fill.
     * memops' fills, at random offsets, spent 5.5x as long per byte in the first as in the second
     * (perf samples per JDK stub, JDK 25, x86_64); through this method memops runs 1.21x as fast
     * (JMH-free PpcSuiteRate, pinned side by side, the geometric mean of four rounds).
     */
    static void fill(java.lang.foreign.MemorySegment ram, long at, long bytes, byte value) {
        if ((at & 1) == 0 && bytes > 1) {
            ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at, value);
            at++;
            bytes--;
        }
        ram.asSlice(at, bytes).fill(value);
    }

    /** The first counted loop in {@code b}, whose first {@code prefix} instructions translate, or null. */
    static CountedLoop countedLoop(DecodedBlock b, int prefix) {
        if (!COUNTED_LOOPS) {
            return null;
        }
        DecodedInsn[] in = b.insns;
        for (int e = 1; e < prefix; e++) {
            DecodedInsn d = in[e];
            // bdnz: BO decrements CTR, branches while it is not 0, ignores CR; no link; back into
            // the block.
            if (d.op() != Op.BC || (d.rt() & 0x16) != 0x10 || d.aux() != 0 || d.imm() < b.pc || d.imm() >= d.pc()) {
                continue;
            }
            int start = (int) ((d.imm() - b.pc) >>> 2);
            if (in[start].pc() != d.imm()) {
                continue;
            }
            long passes = ctrBefore(in, start);
            if (passes >= 0 && passes <= COUNTED_MIN) {
                continue; // CTR is a constant too small to pay: the slow copy's code alone
            }
            CountedLoop loop = countedLoop(in, start, e);
            if (loop != null) {
                return loop;
            }
        }
        return null;
    }

    /**
     * CTR's value at instruction {@code start} where instructions before it in the block set it
     * from a constant ({@code li rX, C; mtctr rX}, nothing writing rX or CTR between), else -1.
     */
    static long ctrBefore(DecodedInsn[] in, int start) {
        long[] constant = new long[32];
        boolean[] known = new boolean[32];
        long ctr = -1;
        for (int i = 0; i < start; i++) {
            DecodedInsn d = in[i];
            if (d.op() == Op.ADDI && d.ra() == PpcDecoder.ZERO) {
                known[d.rt()] = true;
                constant[d.rt()] = d.imm();
                continue;
            }
            if (d.op() == Op.MTCTR) {
                ctr = d.rt() < 32 && known[d.rt()] ? constant[d.rt()] : -1;
                continue;
            }
            if (d.op() == Op.BC && (d.rt() & 4) == 0) {
                ctr = -1; // a bdnz or the like counts CTR down
            }
            for (int r : new int[] {d.rt(), d.ra()}) {
                if (r < 32 && !isStore(d.op())) {
                    known[r] = false;
                }
            }
            if (Emitter.isUpdate(d.op()) && d.ra() < 32) {
                known[d.ra()] = false;
            }
        }
        return ctr;
    }

    /** The counted loop of instructions {@code start} to {@code end} (its bdnz) of {@code in}, or null. */
    private static CountedLoop countedLoop(DecodedInsn[] in, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!countable(in[i])) {
                return null;
            }
        }
        // Pass 1: each register's value at the end of a pass as (base register at the pass's
        // start, constant), or unknown. A register that ends as itself plus c steps by c.
        int[] base = new int[33];
        long[] c = new long[33];
        for (int r = 0; r <= 32; r++) {
            base[r] = r;
        }
        for (int i = start; i < end; i++) {
            step(in[i], base, c, null, null, null, i);
        }
        boolean[] stepping = new boolean[33];
        long[] step = new long[33];
        stepping[PpcDecoder.ZERO] = true;
        for (int r = 0; r < 32; r++) {
            if (base[r] == r && Math.abs(c[r]) <= STRIDE_MAX) {
                stepping[r] = true;
                step[r] = c[r];
            }
        }
        // Pass 2: from the pass's start, where only stepping registers are known.
        for (int r = 0; r < 32; r++) {
            base[r] = stepping[r] ? r : -1;
            c[r] = 0;
        }
        int[] accessBase = new int[end];
        long[] accessOffset = new long[end];
        long[] accessStride = new long[end];
        java.util.Arrays.fill(accessBase, -1);
        for (int i = start; i < end; i++) {
            step(in[i], base, c, accessBase, accessOffset, stepping, i);
            if (accessBase[i] >= 0) {
                accessStride[i] = step[accessBase[i]];
            }
        }
        return new CountedLoop(start, end, accessBase, accessOffset, accessStride,
                BULK_MOVES ? bulk(in, start, end, accessBase, accessOffset, accessStride, stepping, step) : null);
    }

    /**
     * Whether counted loops that only move memory forward run as one copy or fill ({@link
     * Bulk}): system property {@code jvmm.ppc.bulkMoves}, {@code on} (the default) or {@code off}.
     */
    static final boolean BULK_MOVES = onOff("jvmm.ppc.bulkMoves", System.getProperty("jvmm.ppc.bulkMoves"));

    /**
     * The counted loop of instructions {@code start} to {@code end} (its bdnz) as a {@link Bulk}
     * move, or null: only {@code addi} and loads and stores that are affine, not byte-reversed,
     * with one stride {@code span} > 0; every store writes either what a load of its size read
     * earlier in the pass (a copy) or one register the pass has not changed (a fill), all stores
     * off one register, all a copy's loads off one register at one distance from their stores;
     * the stores of a pass fill {@code span} bytes in a row; no register read before the pass
     * writes it unless the loop steps it.
     */
    private static Bulk bulk(DecodedInsn[] in, int start, int end, int[] accessBase, long[] accessOffset,
            long[] accessStride, boolean[] stepping, long[] step) {
        boolean[] written = new boolean[33];
        int[] loadedBy = new int[33];
        java.util.Arrays.fill(loadedBy, -1);
        java.util.List<long[]> stores = new java.util.ArrayList<>();
        Boolean copy = null;
        int dstBase = -1;
        int srcBase = -1;
        int value = -1;
        int size = 0;
        long span = 0;
        long delta = 0;
        for (int i = start; i < end; i++) {
            DecodedInsn d = in[i];
            int op = d.op();
            if (op == Op.ADDI) {
                if (!readable(d.ra(), written, stepping)) {
                    return null;
                }
                written[d.rt()] = true;
                loadedBy[d.rt()] = -1;
                continue;
            }
            int sz = accessSize(op);
            if (sz == 0 || op == Op.LHBRX || op == Op.LWBRX || op == Op.LDBRX || op == Op.STHBRX || op == Op.STWBRX
                    || op == Op.STDBRX || accessBase[i] < 0 || accessStride[i] <= 0
                    || (span != 0 && accessStride[i] != span) || !readable(d.ra(), written, stepping)
                    || !readable(d.rb(), written, stepping)) {
                return null;
            }
            span = accessStride[i];
            if (isStore(op)) {
                int rs = d.rt();
                int j = loadedBy[rs];
                boolean pair = j >= 0 && accessSize(in[j].op()) == sz;
                if (!pair && (written[rs] || !stepping[rs] || step[rs] != 0 || rs == PpcDecoder.ZERO)) {
                    return null;
                }
                if ((copy != null && copy != pair) || (dstBase >= 0 && dstBase != accessBase[i])) {
                    return null;
                }
                copy = pair;
                dstBase = accessBase[i];
                if (pair) {
                    long dd = accessOffset[j] - accessOffset[i];
                    if (srcBase >= 0 && (srcBase != accessBase[j] || dd != delta)) {
                        return null;
                    }
                    srcBase = accessBase[j];
                    delta = dd;
                } else {
                    if (value >= 0 && (value != rs || size != sz)) {
                        return null;
                    }
                    value = rs;
                    size = sz;
                }
                stores.add(new long[] {accessOffset[i], sz});
            } else {
                written[d.rt()] = true;
                loadedBy[d.rt()] = i;
            }
            if (Emitter.isUpdate(op)) {
                written[d.ra()] = true;
                loadedBy[d.ra()] = -1;
            }
        }
        if (copy == null) {
            return null;
        }
        stores.sort(java.util.Comparator.comparingLong(x -> x[0]));
        long low = stores.get(0)[0];
        long at = low;
        for (long[] st : stores) {
            if (st[0] != at) {
                return null;
            }
            at += st[1];
        }
        if (at - low != span) {
            return null;
        }
        int n = 0;
        int[] regs = new int[32];
        long[] steps = new long[32];
        for (int r = 0; r < 32; r++) {
            if (written[r] && stepping[r] && step[r] != 0) {
                regs[n] = r;
                steps[n++] = step[r];
            }
        }
        return new Bulk(copy, dstBase, low, span, srcBase, low + delta, value, size,
                java.util.Arrays.copyOf(regs, n), java.util.Arrays.copyOf(steps, n));
    }

    /** Whether a bulk move's pass may read {@code r} ({@link #bulk}): written earlier in it, or stepped by the loop. */
    private static boolean readable(int r, boolean[] written, boolean[] stepping) {
        return r == PpcDecoder.ZERO || written[r] || stepping[r];
    }

    /**
     * One instruction of {@link #countedLoop}'s passes over the registers' (base, constant) values
     * (base -1: unknown); with {@code accessBase}, records a memory access's address, or {@link
     * #CHECKED} where it is not affine in a register that {@code stepping} says steps.
     */
    private static void step(DecodedInsn d, int[] base, long[] c, int[] accessBase, long[] accessOffset,
            boolean[] stepping, int i) {
        int op = d.op();
        if (op == Op.ADDI) {
            int ra = d.ra();
            int nb = base[ra];
            long nc = c[ra] + d.imm();
            base[d.rt()] = nb;
            c[d.rt()] = nc;
            return;
        }
        int size = accessSize(op);
        if (size == 0) {
            // Any other instruction writes at most RT and RA (for a compare, RT is a CR field).
            for (int r : new int[] {d.rt(), d.ra()}) {
                if (r < 32) {
                    base[r] = -1;
                }
            }
            return;
        }
        int eb;
        long ec;
        if (d.rb() != PpcDecoder.ZERO) {
            int ra = d.ra();
            int rb = d.rb();
            if (base[ra] == PpcDecoder.ZERO) {
                eb = base[rb];
            } else if (base[rb] == PpcDecoder.ZERO) {
                eb = base[ra];
            } else {
                eb = -1;
            }
            ec = c[ra] + c[rb];
        } else {
            eb = base[d.ra()];
            ec = c[d.ra()] + d.imm();
        }
        if (accessBase != null) {
            // Not affine in a stepping register: tested as in the slow copy, on every pass.
            accessBase[i] = eb >= 0 && stepping[eb] ? eb : CHECKED;
            accessOffset[i] = ec;
        }
        if (!isStore(op)) {
            base[d.rt()] = -1;
        }
        if (Emitter.isUpdate(op) && d.ra() < 32) {
            base[d.ra()] = eb;
            c[d.ra()] = ec;
        }
    }

    /** What a counted loop may hold besides its bdnz: what translates, but no CTR access and no division. */
    private static boolean countable(DecodedInsn d) {
        return switch (d.op()) {
            case Op.MFCTR, Op.MTCTR, Op.DIVW, Op.DIVWU, Op.DIVD, Op.DIVDU -> false;
            default -> supported(d);
        };
    }

    /** The bytes a load or store moves, 0 for any other instruction. */
    static int accessSize(int op) {
        return switch (op) {
            case Op.LBZ, Op.LBZU, Op.STB, Op.STBU -> 1;
            case Op.LHZ, Op.LHZU, Op.LHA, Op.LHAU, Op.LHBRX, Op.STH, Op.STHU, Op.STHBRX -> 2;
            case Op.LWZ, Op.LWZU, Op.LWA, Op.LWAU, Op.LWBRX, Op.STW, Op.STWU, Op.STWBRX -> 4;
            case Op.LD, Op.LDU, Op.LDBRX, Op.STD, Op.STDU, Op.STDBRX -> 8;
            default -> 0;
        };
    }

    private static boolean isStore(int op) {
        return switch (op) {
            case Op.STB, Op.STBU, Op.STH, Op.STHU, Op.STW, Op.STWU, Op.STD, Op.STDU, Op.STHBRX, Op.STWBRX, Op.STDBRX -> true;
            default -> false;
        };
    }

    private static boolean isBranch(int op) {
        return op == Op.B || op == Op.BC || op == Op.BCLR || op == Op.BCCTR;
    }

    private static boolean supported(DecodedInsn d) {
        return switch (d.op()) {
            case Op.ADDI, Op.ORI, Op.XORI, Op.ANDI, Op.MULLI, Op.ADDIC, Op.SUBFIC, Op.CMPI, Op.CMPLI, Op.CMP, Op.CMPL,
                 Op.ROTL32_MASK, Op.ROTL32_REG_MASK, Op.ROTL32_INSERT, Op.ROTL64_MASK, Op.ROTL64_REG_MASK,
                 Op.ROTL64_INSERT, Op.AND, Op.ANDC, Op.OR, Op.ORC, Op.XOR, Op.NAND, Op.NOR, Op.EQV, Op.EXTSB,
                 Op.EXTSH, Op.EXTSW, Op.CNTLZW, Op.CNTLZD, Op.CNTTZW, Op.CNTTZD, Op.SLW, Op.SRW, Op.SLD, Op.SRD,
                 Op.SRAWI, Op.SRAW, Op.SRADI, Op.SRAD, Op.ISEL, Op.CRLOGIC, Op.MCRF, Op.MFCR, Op.MTCRF, Op.MFLR,
                 Op.MTLR, Op.MFCTR, Op.MTCTR, Op.NOP,
                 Op.LBZ, Op.LBZU, Op.LHZ, Op.LHZU, Op.LHA, Op.LHAU, Op.LWZ, Op.LWZU, Op.LWA, Op.LWAU, Op.LD, Op.LDU,
                 Op.LHBRX, Op.LWBRX, Op.LDBRX,
                 Op.STB, Op.STBU, Op.STH, Op.STHU, Op.STW, Op.STWU, Op.STD, Op.STDU, Op.STHBRX, Op.STWBRX, Op.STDBRX -> true;
            case Op.ADD, Op.SUBF, Op.NEG, Op.MULLW, Op.MULLD, Op.DIVW, Op.DIVWU, Op.DIVD, Op.DIVDU -> !d.oe();
            case Op.MULHW, Op.MULHWU, Op.MULHD, Op.MULHDU, Op.MADDLD, Op.MADDHD, Op.MADDHDU -> true;
            default -> false;
        };
    }

    /**
     * Translates {@code b} for the CPU whose RAM is {@code ram} and whose decoded code is in
     * {@code cache}; null if not translatable. The RAM segment and the cache's page-holds-code
     * flags and code span are the hidden class's class data, loaded with {@code ldc} as constants,
     * so that the JIT folds the segment's base, size and scope into the generated accesses.
     */
    static CompiledBlock compile(DecodedBlock b, java.lang.foreign.MemorySegment ram, BlockCache cache) {
        if (translatablePrefix(b) == 0) {
            return null;
        }
        return define(b.pc, build(new DecodedBlock[] {b}, new long[] {b.pc}, ram.byteSize(), null, based(ram)), ram, cache);
    }

    /**
     * Translates {@code blocks} (distinct, each with a nonempty translatable prefix, one byte order,
     * every start below 2^32, none a tail of another) into one method: a region. It is entered at
     * {@code entries[0]} only (the PC the run loop calls it at); each entry is the start of a member
     * or an instruction inside one's translatable prefix. A branch to an instruction inside a
     * member's translatable prefix, direct or through LR or CTR (then to one of {@code entries}),
     * stays in the method with the guest registers in JVM locals, checking the instruction limit
     * and the attention flag at every such edge as a block looping on itself does. Null if the
     * method's bytecode would exceed {@link #MAX_REGION_CODE} bytes (the JIT does not compile
     * methods past 8000 bytes). The method's class is kept from C1 ({@link C1Off}).
     */
    static CompiledBlock compileRegion(DecodedBlock[] blocks, long[] entries, java.lang.foreign.MemorySegment ram,
            BlockCache cache) {
        // Members the entry cannot reach (a call's return site whose callee's return is not in the
        // region) would be dead code: left out, with the entries inside them.
        boolean[] reached = reachable(blocks, entries);
        java.util.ArrayList<DecodedBlock> live = new java.util.ArrayList<>();
        for (int k = 0; k < blocks.length; k++) {
            if (reached[k]) {
                live.add(blocks[k]);
            }
        }
        blocks = live.toArray(new DecodedBlock[0]);
        long[] kept = new long[entries.length];
        int count = 0;
        for (long e : entries) {
            if (locate(blocks, e) >= 0) {
                kept[count++] = e;
            }
        }
        entries = java.util.Arrays.copyOf(kept, count);
        C1Off.ensure();
        byte[] bytes = build(blocks, entries, ram.byteSize(), cache.codeRange().clone(), based(ram));
        if (codeLength(bytes) > MAX_REGION_CODE) {
            return null;
        }
        return define(blocks[0].pc, bytes, ram, cache);
    }

    /**
     * Where {@code pc} is among {@code blocks}: member k's instruction i as {@code k << 8 | i}
     * (a member's start preferred), or -1 if no member translates it.
     */
    static int locate(DecodedBlock[] blocks, long pc) {
        int found = -1;
        for (int k = 0; k < blocks.length; k++) {
            long off = pc - blocks[k].pc;
            if (off == 0) {
                return k << 8;
            }
            if (found < 0 && off > 0 && (off & 3) == 0 && off < 4L * translatablePrefix(blocks[k])) {
                found = k << 8 | (int) (off >>> 2);
            }
        }
        return found;
    }

    /**
     * Calls {@code to} with each address control goes on at from the translated instructions of
     * {@code b} other than through LR or CTR: conditional branch targets, the target of a final
     * {@code b}, the next instruction after a final conditional branch or falling off the end,
     * and, if {@code returnSites}, the return site of a call that ends the block. True if the block
     * ends in a branch through LR or CTR.
     */
    static boolean directTargets(DecodedBlock b, boolean returnSites, java.util.function.LongConsumer to) {
        int n = b.insns.length;
        int prefix = translatablePrefix(b);
        for (int i = 0; i < prefix; i++) {
            DecodedInsn d = b.insns[i];
            if (d.op() == Op.BC) {
                to.accept(d.imm());
            }
        }
        if (prefix < n) {
            return false;
        }
        DecodedInsn last = b.insns[n - 1];
        boolean always = (last.rt() & 0x14) == 0x14; // BO: no CTR test, no CR test
        switch (last.op()) {
            case Op.B -> to.accept(last.imm());
            case Op.BC -> to.accept(last.pc() + 4);
            case Op.BCLR, Op.BCCTR -> {
                if (!always) {
                    to.accept(last.pc() + 4);
                }
            }
            default -> to.accept(b.end());
        }
        if (returnSites && last.aux() != 0 && isBranch(last.op())) {
            to.accept(last.pc() + 4);
        }
        return last.op() == Op.BCLR || last.op() == Op.BCCTR;
    }

    /**
     * The entries of a region a member's final branch through LR or CTR is known to go to: for
     * {@code bcctr}, those of the targets it has taken ({@link DecodedBlock#targets}), first seen
     * first; for {@code bclr}, the return sites (the next instruction) of the calls that end
     * members, in member order. Distinct; empty for a member ending otherwise.
     */
    static long[] siteTargets(DecodedBlock[] blocks, long[] entries, DecodedBlock member) {
        DecodedInsn d = member.insns[member.insns.length - 1];
        java.util.LinkedHashSet<Long> out = new java.util.LinkedHashSet<>();
        java.util.function.LongPredicate entry = pc -> java.util.Arrays.stream(entries).anyMatch(e -> e == pc);
        if (d.op() == Op.BCCTR) {
            for (int i = 0; i < member.targetCount; i++) {
                if (entry.test(member.targets[i])) {
                    out.add(member.targets[i]);
                }
            }
        } else if (d.op() == Op.BCLR) {
            for (DecodedBlock m : blocks) {
                DecodedInsn last = m.insns[m.insns.length - 1];
                if (translatablePrefix(m) == m.insns.length && isBranch(last.op()) && last.aux() != 0
                        && entry.test(last.pc() + 4)) {
                    out.add(last.pc() + 4);
                }
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** Which members control can reach from {@code entries[0]} without leaving the region. */
    private static boolean[] reachable(DecodedBlock[] blocks, long[] entries) {
        boolean[] reached = new boolean[blocks.length];
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
        java.util.function.LongConsumer to = pc -> {
            int w = locate(blocks, pc);
            if (w >= 0 && !reached[w >>> 8]) {
                reached[w >>> 8] = true;
                work.add(w >>> 8);
            }
        };
        to.accept(entries[0]);
        boolean dynamic = false;
        while (!work.isEmpty()) {
            if (directTargets(blocks[work.poll()], false, to) && !dynamic) {
                dynamic = true;
                for (long e : entries) {
                    to.accept(e);
                }
            }
        }
        return reached;
    }

    /** Bytecode bytes of a region's run method at most, well below HotSpot's 8000-byte huge-method limit. */
    static final int MAX_REGION_CODE = 7600;

    /** The class of a single block's method and of a region's: C1 is kept off the second (see {@link C1Off}). */
    static final String BLOCK_CLASS = "org.jvmm.kvm.soft.ppc.Jit";
    static final String REGION_CLASS = "org.jvmm.kvm.soft.ppc.Region";

    /**
     * Keeps HotSpot's C1 off region methods, once per JVM, with a compiler directive added through
     * the DiagnosticCommand MBean (what {@code jcmd Compiler.directives_add} does). C1 runs out of
     * virtual registers on a method this large at its profiling tier (3), yet may compile it at tier
     * 2 first when C2's queue is long (one core); the method can then stay at tier 2, its memory
     * accesses calls that are not inlined, for good (memops pinned to one core, with the larger
     * regions of a change not kept: 0.10 against 1.9 G instr/s in four runs of six). Without C1 a
     * region is interpreted until C2 compiles it, which is what happens anyway when tier 3 fails
     * first. {@link #ADDED} says whether the directive took; where it cannot (another JVM, no
     * java.management), regions work as before.
     */
    static final class C1Off {
        static final boolean ADDED = add();

        private C1Off() {
        }

        /** Adds the directive on the first call in this JVM (the class's initialization runs add). */
        static void ensure() {
        }

        private static boolean add() {
            java.nio.file.Path file = null;
            try {
                file = java.nio.file.Files.createTempFile("jvmm-region-directive", ".json");
                java.nio.file.Files.writeString(file, "[{ match: \"" + REGION_CLASS.replace('.', '/')
                        + "*.run\", c1: { Exclude: true } }]");
                Object reply = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                        new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "compilerDirectivesAdd", new Object[] {new String[] {file.toString()}},
                        new String[] {String[].class.getName()});
                return reply instanceof String text && text.contains("1 compiler directives added");
            } catch (Exception | LinkageError e) {
                return false;
            } finally {
                if (file != null) {
                    try {
                        java.nio.file.Files.deleteIfExists(file);
                    } catch (java.io.IOException ignored) {
                        // A temporary file left behind; nothing else depends on it.
                    }
                }
            }
        }
    }

    /**
     * The class of a block ({@code range} null) or of a region, which tests stores against
     * {@code range}, {@link BlockCache#codeRange()} as it is now, as constants.
     */
    private static byte[] build(DecodedBlock[] blocks, long[] entries, long ramSize, long[] range, boolean based) {
        return CLASS_FILE.build(ClassDesc.of(range != null ? REGION_CLASS : BLOCK_CLASS), clb -> {
            clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            clb.withSuperclass(CD_BLOCK);
            clb.withMethodBody("<init>", MethodTypeDesc.of(CD_void), ClassFile.ACC_PUBLIC, cb -> {
                cb.aload(0);
                cb.invokespecial(CD_BLOCK, "<init>", MethodTypeDesc.of(CD_void));
                cb.return_();
            });
            clb.withMethodBody("run", MethodTypeDesc.of(CD_int, CD_CPU, CD_int), ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    cb -> new Emitter(cb, blocks, entries, ramSize, range, based).emit());
        });
    }

    private static int codeLength(byte[] classBytes) {
        for (java.lang.classfile.MethodModel m : ClassFile.of().parse(classBytes).methods()) {
            if (m.methodName().equalsString("run")) {
                return m.code().map(c -> ((java.lang.classfile.attribute.CodeAttribute) c).codeLength()).orElse(0);
            }
        }
        return 0;
    }

    /** All of memory, global scope: where {@link #COUNTED_BASE} accesses go. */
    private static final java.lang.foreign.MemorySegment ALL_MEMORY =
            java.lang.foreign.MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /**
     * What a counted copy's host address is masked with before it goes to {@link #ALL_MEMORY}: the
     * JIT then knows the offset lies in all of memory, drops the segment's bounds check, and with
     * it the range-check elimination it would otherwise set up on every entry to the loop (a
     * clamped limit per access, some thirty instructions each, where matmul's k loop runs twelve
     * passes a time). The copy's own tests put every access in RAM, whose host addresses all lie
     * under the mask ({@link #based}), so the mask changes no address. Matmul 1.17x (JMH-free
     * PpcSuiteRate, pinned side by side, the geometric mean of four rounds), the other kernels
     * 1.01-1.05x.
     */
    static final long HOST_MASK = Long.MAX_VALUE >>> 1;

    /**
     * Whether counted copies reach {@code ram} through its address ({@link #COUNTED_BASE}): native,
     * of the global scope, and every host address in it under {@link #HOST_MASK}.
     */
    static boolean based(java.lang.foreign.MemorySegment ram) {
        return COUNTED_BASE && ram.isNative() && ram.scope().equals(java.lang.foreign.MemorySegment.NULL.scope())
                && Long.compareUnsigned(ram.address() + ram.byteSize() - 1, HOST_MASK) <= 0;
    }

    private static CompiledBlock define(long pc, byte[] bytes, java.lang.foreign.MemorySegment ram, BlockCache cache) {
        if (DUMP_DIR != null) {
            dump(pc, bytes);
        }
        try {
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(bytes,
                    List.of(ram, cache.codePages(), cache.codeRange(), ALL_MEMORY), true);
            return (CompiledBlock) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("BlockCompiler: generated code for the block at 0x" + Long.toHexString(pc)
                    + " did not load", t);
        }
    }

    private static void dump(long pc, byte[] bytes) {
        java.nio.file.Path file = java.nio.file.Path.of(DUMP_DIR, "Jit_" + Long.toHexString(pc) + ".class");
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("BlockCompiler: writing " + file + " (jvmm.ppc.dumpTranslated)", e);
        }
    }

    /** Emits one region's run method (a single block is a region of one). */
    private static final class Emitter {
        private final CodeBuilder cb;
        private final DecodedBlock[] blocks;
        private final long ramSize;
        private final boolean le;
        /** Counted copies reach RAM through ALL and RAM_BASE ({@link #COUNTED_BASE}). */
        private final boolean based;
        /**
         * In the counted copy being emitted, per register: whether its accesses go through HOST_B,
         * and the offset of its lowest access, where HOST_B points ({@link #hostBases}).
         */
        private final boolean[] hostBased = new boolean[32];
        private final long[] hostLow = new long[32];
        private final boolean[] used = new boolean[32];
        private final boolean[] dirty = new boolean[32];
        private boolean crDirty, caDirty, lrDirty, ctrDirty;
        /** Per member, a label at each of its instructions. */
        private final Label[][] at;
        /** Per member, how many leading instructions are translated. */
        private final int[] prefixes;
        /** The addresses a dynamic branch or the entry can land on in the method. */
        private final long[] entries;
        /** The running member's side exit: IDX holds the instruction the interpreter must run. */
        private Label sideExit;
        private final Label commonExit;
        /** Where branches through LR or CTR go (see {@link #emitDynamicExit}); made on first use. */
        private Label dynamicExit;
        /** The member being emitted. */
        private DecodedBlock b;
        /** A region (compileRegion), not a block translated alone. */
        private final boolean region;
        /** A region's code range (see {@link BlockCache#codeRange()}) when it was made; null for a block. */
        private final long[] range;
        /** Per member, the instructions a branch or an entry can arrive at. */
        private final boolean[][] targeted;
        /**
         * Bit f set while the code being emitted is reached only through a compare into CR field
         * f (no arrival and no other write of the field since): a branch on its LT, GT or EQ bit
         * then compares the field's operands itself, of the kind {@link #fusedUnsigned} says,
         * without testing the kind in CRF + f.
         */
        private int fused;
        /** Bit f set where bit f of {@link #fused} is set and that compare is unsigned. */
        private int fusedUnsigned;
        /** The CR fields some instruction of the method reads or writes (see {@link #crFields}). */
        private int crUsed;
        /** Per member, its counted loop ({@link #countedLoop}), or null. */
        private final CountedLoop[] counted;
        /** The counted loop whose counted copy is being emitted, else null. */
        private CountedLoop counting;
        /** The member being emitted's index. */
        private int member;
        /** Where the running member's slow copy of its counted loop starts. */
        private Label slowHead;

        Emitter(CodeBuilder cb, DecodedBlock[] blocks, long[] entries, long ramSize, long[] range, boolean based) {
            this.cb = cb;
            this.region = range != null;
            this.range = range;
            this.blocks = blocks;
            this.entries = entries;
            this.ramSize = ramSize;
            this.le = blocks[0].littleEndian;
            this.at = new Label[blocks.length][];
            this.prefixes = new int[blocks.length];
            this.targeted = new boolean[blocks.length][];
            for (int k = 0; k < blocks.length; k++) {
                prefixes[k] = translatablePrefix(blocks[k]);
                at[k] = new Label[prefixes[k]];
                for (int i = 0; i < prefixes[k]; i++) {
                    at[k][i] = cb.newLabel();
                }
                targeted[k] = new boolean[prefixes[k]];
            }
            this.counted = new CountedLoop[blocks.length];
            boolean anyCounted = false;
            for (int k = 0; k < blocks.length; k++) {
                counted[k] = countedLoop(blocks[k], prefixes[k]);
                if (!region && counted[k] != null && counted[k].start() != 0) {
                    counted[k] = null; // a block alone leaves at a branch into its middle (see locate)
                }
                anyCounted |= counted[k] != null;
            }
            this.based = based && anyCounted;
            this.commonExit = cb.newLabel();
            java.util.function.LongConsumer mark = pc -> {
                int w = locate(pc);
                if (w >= 0) {
                    targeted[w >>> 8][w & 0xff] = true;
                }
            };
            for (DecodedBlock m : blocks) {
                directTargets(m, false, mark);
            }
            for (long e : entries) {
                mark.accept(e);
            }
        }

        /**
         * Where {@code pc} is in the method ({@link BlockCompiler#locate}), or -1. A block translated
         * alone takes branches to its own start only: a loop into its middle runs faster as a block of
         * its own (JMH PpcSuiteBenchmark memops, regions off, 10 s warm-up: 0.97-1.13 against
         * 0.73-0.78 G instr/s), while a region needs them for loops inside functions.
         */
        private int locate(long pc) {
            int w = BlockCompiler.locate(blocks, pc);
            if (!region && (w & 0xff) != 0) {
                return -1;
            }
            return w;
        }

        void emit() {
            for (DecodedBlock m : blocks) {
                for (DecodedInsn d : m.insns) {
                    boolean va = d.op() == Op.MADDLD || d.op() == Op.MADDHD || d.op() == Op.MADDHDU;
                    for (int r : new int[] {d.rt(), d.ra(), d.rb(), va ? d.aux() : 32}) {
                        if (r < 32) {
                            used[r] = true;
                        }
                    }
                    crUsed |= crFields(d);
                }
            }
            // Entry: state into locals.
            cb.aload(CPU).getfield(CD_CPU, "gpr", CD_long.arrayType()).astore(GPRS);
            for (int r = 0; r < 32; r++) {
                if (used[r]) {
                    cb.aload(GPRS).loadConstant(r).laload().lstore(slot(r));
                }
            }
            cb.aload(CPU).getfield(CD_CPU, "cr", CD_int).istore(CR);
            for (int f = 0; f < 8; f++) {
                if ((crUsed & (1 << f)) != 0) {
                    fieldOf(CR, f);
                    cb.lconst_0().lstore(CRA + 2 * f);
                    cb.lconst_0().lstore(CRB + 2 * f);
                }
            }
            cb.aload(CPU).getfield(CD_CPU, "so", CD_boolean).istore(SO);
            cb.aload(CPU).getfield(CD_CPU, "ca", CD_boolean).istore(CA);
            cb.aload(CPU).getfield(CD_CPU, "ca32", CD_boolean).istore(CA32);
            cb.aload(CPU).getfield(CD_CPU, "lr", CD_long).lstore(LR);
            cb.aload(CPU).getfield(CD_CPU, "ctr", CD_long).lstore(CTR);
            cb.ldc(classData(0, CD_SEGMENT)).astore(RAM);
            if (based) {
                cb.aload(CPU).getfield(CD_CPU, "jitRamBase", CD_long).lstore(RAM_BASE);
                cb.ldc(classData(3, CD_SEGMENT)).astore(ALL);
            }
            cb.ldc(classData(1, CD_byte.arrayType())).astore(CODE_PAGES);
            if (region) {
                // Constants the JIT folds into the compare; the run loop drops the region once the
                // range grows (PpcCpu.seedRegion).
                cb.loadConstant(range[0]).lstore(CODE_LOW);
                cb.loadConstant(range[1]).lstore(CODE_SPAN);
            } else {
                cb.ldc(classData(2, CD_long.arrayType())).dup().iconst_0().laload().lstore(CODE_LOW);
                cb.iconst_1().laload().lstore(CODE_SPAN);
            }
            cb.loadConstant(0).istore(CHECK);
            cb.loadConstant(0).istore(LEFT);
            cb.loadConstant(0).istore(IDX);
            cb.loadConstant(0).istore(N);
            cb.lconst_0().lstore(EA);
            cb.lconst_0().lstore(VAL);
            cb.lconst_0().lstore(A);
            cb.lconst_0().lstore(NEXT);
            cb.loadConstant(0).istore(RET);
            cb.aload(CPU).iload(LIMIT).loadConstant(PpcCpu.MAX_BLOCK).isub().putfield(CD_CPU, "checkCap", CD_int);
            nextCheck();
            // One way in, at the first entry (so that the guest's loops stay loops with one head
            // for the JIT): straight on at the first member's start, else a jump into the member
            // whose tail it is.
            int first = locate(entries[0]);
            if (first != 0) {
                arrive(first);
            }
            for (int k = 0; k < blocks.length; k++) {
                block(k);
            }
            if (dynamicExit != null) {
                emitDynamicExit();
            }
            // Every exit: NEXT holds the PC to go on at, RET the instructions retired.
            cb.labelBinding(commonExit);
            writeBack();
            cb.aload(CPU).lload(NEXT).putfield(CD_CPU, "pc", CD_long);
            cb.iload(RET).ireturn();
        }

        /**
         * Goes on at the instruction at the word-aligned address in A, after a branch whose budget
         * test is done ({@link #branch}), if it is one of {@code targets} (distinct entries); else
         * jumps to {@code other}.
         */
        private void dispatch(long[] targets, Label other) {
            cb.lload(A).loadConstant(32).lushr().l2i().ifne(other);
            java.util.List<java.lang.classfile.instruction.SwitchCase> cases = new java.util.ArrayList<>();
            Label[] arrive = new Label[targets.length];
            for (int e = 0; e < targets.length; e++) {
                arrive[e] = cb.newLabel();
                cases.add(java.lang.classfile.instruction.SwitchCase.of((int) (targets[e] >>> 2), arrive[e]));
            }
            cases.sort(java.util.Comparator.comparingInt(java.lang.classfile.instruction.SwitchCase::caseValue));
            cb.lload(A).loadConstant(2).lushr().l2i();
            cb.lookupswitch(other, cases);
            for (int e = 0; e < targets.length; e++) {
                cb.labelBinding(arrive[e]);
                arrive(locate(targets[e]));
            }
        }

        /**
         * Goes to the instruction {@code where} ({@link #locate}) with the count lowered by its index,
         * since the member's exits count from the member's start.
         */
        private void arrive(int where) {
            int i = where & 0xff;
            if (i > 0) {
                cb.iinc(LEFT, i);
            }
            cb.goto_(at[where >>> 8][i]);
        }

        /** Emits member {@code k}. */
        private void block(int k) {
            b = blocks[k];
            member = k;
            sideExit = cb.newLabel();
            DecodedInsn[] insns = b.insns;
            int n = insns.length;
            int prefix = prefixes[k];
            // A counted loop's bdnz that ends the member is emitted as a branch inside it, then the
            // fall-through: its back edge goes to the slow copy's head (innerBranch).
            boolean countedEnd = counted[k] != null && counted[k].end() == n - 1;
            for (int i = 0; i < prefix; i++) {
                cb.labelBinding(at[k][i]);
                if (counted[k] != null && i == counted[k].start()) {
                    slowHead = cb.newLabel();
                    emitCounted(k, counted[k]);
                    cb.labelBinding(slowHead);
                }
                if (i == 0 || targeted[k][i]) {
                    fused = 0;
                }
                DecodedInsn d = insns[i];
                if (i == n - 1 && isBranch(d.op()) && !countedEnd) {
                    branch(d, n);
                } else if (d.op() == Op.BC) {
                    innerBranch(d, i + 1);
                } else {
                    insn(d, i);
                }
            }
            if (prefix < n) {
                // The rest of the block starts with an instruction only the interpreter runs.
                cb.loadConstant(prefix).istore(IDX).goto_(sideExit);
            } else if (!isBranch(insns[n - 1].op()) || countedEnd) {
                exitTo(b.end(), n);
            }
            cb.labelBinding(sideExit);
            cb.loadConstant(b.pc).iload(IDX).loadConstant(2).ishl().i2l().ladd().lstore(NEXT);
            count();
            cb.iload(IDX).iadd().istore(RET);
            cb.goto_(commonExit);
        }

        /** Element {@code index} of the class data list, as a dynamic constant. */
        private static DynamicConstantDesc<Object> classData(int index, ClassDesc type) {
            return DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, type, index);
        }

        private static int slot(int r) {
            return GPR0 + 2 * r;
        }

        private void ld(int r) {
            if (r == PpcDecoder.ZERO) {
                cb.lconst_0();
            } else {
                cb.lload(slot(r));
            }
        }

        private void st(int r) {
            cb.lstore(slot(r));
            dirty[r] = true;
        }

        private void rc(DecodedInsn d, int r) {
            if (d.rc()) {
                cr0FromReg(r);
            }
        }

        private void cr0FromReg(int r) {
            ld(r);
            cb.lconst_0();
            crField(0, false);
        }

        /*
         * The ALU sequences below are emitted inline rather than called (Alu): in a large region
         * method the JIT stops inlining ordinary calls past its node budget, and a call per compare
         * or rotate costs more than the operation.
         */

        /**
         * CR field {@code bf} from comparing the two longs on the stack (a, then b), signed or
         * unsigned: the operands are kept, and compared where the field is read (see {@link #CRF}).
         */
        private void crField(int bf, boolean unsigned) {
            cb.lstore(CRB + 2 * bf).lstore(CRA + 2 * bf);
            cb.loadConstant(unsigned ? UNSIGNED : SIGNED).istore(CRF + bf);
            crDirty = true;
            fused |= 1 << bf;
            fusedUnsigned = unsigned ? fusedUnsigned | 1 << bf : fusedUnsigned & ~(1 << bf);
        }

        /** Pushes -1, 0 or 1 as field {@code f}'s operands compare, signed or unsigned. */
        private void compare(int f, boolean unsigned) {
            cb.lload(CRA + 2 * f).lload(CRB + 2 * f);
            if (unsigned) {
                cb.invokestatic(CD_LONG_BOX, "compareUnsigned", I_JJ);
            } else {
                cb.lcmp();
            }
        }

        /**
         * Tests the compare result on the stack for CR bit {@code bit} of a field (0 LT, 1 GT, 2
         * EQ) and goes to {@code notTaken} unless the bit is {@code ifSet}.
         */
        private void testCompare(int bit, boolean ifSet, Label notTaken) {
            switch (bit) {
                case 0 -> {
                    if (ifSet) {
                        cb.ifge(notTaken);
                    } else {
                        cb.iflt(notTaken);
                    }
                }
                case 1 -> {
                    if (ifSet) {
                        cb.ifle(notTaken);
                    } else {
                        cb.ifgt(notTaken);
                    }
                }
                default -> {
                    if (ifSet) {
                        cb.ifne(notTaken);
                    } else {
                        cb.ifeq(notTaken);
                    }
                }
            }
        }

        /** Pushes CR bit {@code bi} (0 is CR0's LT) as 0 or 1. */
        private void crBit(int bi) {
            field(bi >>> 2);
            cb.loadConstant(3 - (bi & 3)).iushr().iconst_1().iand();
        }

        /** Pushes the whole CR: the fields the method uses from their locals, the others as they came in. */
        private void crWhole() {
            int keep = 0;
            for (int f = 0; f < 8; f++) {
                if ((crUsed & (1 << f)) == 0) {
                    keep |= 0xf << (28 - 4 * f);
                }
            }
            cb.iload(CR).loadConstant(keep).iand();
            for (int f = 0; f < 8; f++) {
                if ((crUsed & (1 << f)) != 0) {
                    field(f);
                    cb.loadConstant(28 - 4 * f).ishl().ior();
                }
            }
        }

        /**
         * The CR fields (bit f for field f) that {@code d} reads or writes as this emitter
         * translates it: only those get locals, loaded on entry and assembled on the way out.
         */
        private static int crFields(DecodedInsn d) {
            int fields = d.rc() ? 1 : 0;
            return fields | switch (d.op()) {
                case Op.ANDI -> 1;
                case Op.CMPI, Op.CMPLI -> 1 << (d.rt() >>> 2);
                case Op.CMP, Op.CMPL -> 1 << d.rt();
                case Op.BC, Op.BCLR, Op.BCCTR -> (d.rt() & 0x10) == 0 ? 1 << (d.ra() >>> 2) : 0;
                case Op.ISEL -> 1 << (d.aux() >>> 2);
                case Op.CRLOGIC -> 1 << (d.rt() >>> 2) | 1 << (d.ra() >>> 2) | 1 << (d.rb() >>> 2);
                case Op.MCRF -> 1 << d.rt() | 1 << d.ra();
                case Op.MFCR, Op.MTCRF -> nibbles(d.aux());
                default -> 0;
            };
        }

        /** Bit f set for each nonzero nibble f (from the top) of a 32-bit field mask. */
        private static int nibbles(int mask) {
            int fields = 0;
            for (int f = 0; f < 8; f++) {
                if (((mask >>> (28 - 4 * f)) & 0xf) != 0) {
                    fields |= 1 << f;
                }
            }
            return fields;
        }

        /**
         * For field {@code f} as the paths that meet here left it: goes to {@code raw} if it holds
         * a nibble, else pushes its compare's result, signed and unsigned in a copy each, each
         * copy followed by {@code after}, which must end in a jump.
         */
        private void compareByKind(int f, Label raw, Runnable after) {
            Label unsigned = cb.newLabel();
            cb.iload(CRF + f).loadConstant(RAW_FIELD).if_icmpge(raw);
            cb.iload(CRF + f).ifne(unsigned);
            compare(f, false);
            after.run();
            cb.labelBinding(unsigned);
            compare(f, true);
            after.run();
        }

        /** Pushes CR field {@code f} as its nibble (see {@link #CRF}). */
        private void field(int f) {
            Label raw = cb.newLabel();
            Label decode = cb.newLabel();
            Label done = cb.newLabel();
            compareByKind(f, raw, () -> cb.goto_(decode));
            cb.labelBinding(decode);
            // A compare's c: LT (8), EQ (2) or GT (4) is nibble c + 1 of 0x428, without branches.
            cb.iconst_1().iadd().iconst_2().ishl().loadConstant(0x428).swap().iushr().loadConstant(0xf).iand();
            cb.iload(SO).ior().goto_(done);
            cb.labelBinding(raw);
            cb.iload(CRF + f).loadConstant(8).iushr();
            cb.labelBinding(done);
        }

        /** Stores the nibble on the stack as CR field {@code f}. */
        private void rawField(int f) {
            cb.loadConstant(8).ishl().loadConstant(RAW_FIELD).ior().istore(CRF + f);
        }

        /** Sets CR field {@code f} to field f of the CR-shaped int in local {@code word}. */
        private void fieldOf(int word, int f) {
            cb.iload(word).loadConstant(28 - 4 * f).iushr().loadConstant(0xf).iand();
            rawField(f);
        }

        /** Rotates the long on the stack left by the constant {@code n} (0-63), or by N if n < 0. */
        private void rotl64(int n) {
            cb.lstore(T1).lload(T1);
            if (n >= 0) {
                cb.loadConstant(n).lshl().lload(T1).loadConstant(-n & 63).lushr().lor();
            } else {
                cb.iload(N).lshl().lload(T1).iload(N).ineg().lushr().lor();
            }
        }

        /** Rotates the low word of the long on the stack as a doubled word (rlwinm's ROTL32). */
        private void rotl32(int n) {
            cb.loadConstant(0xffffffffL).land().lstore(T1).lload(T1).lload(T1).loadConstant(32).lshl().lor();
            rotl64(n);
        }

        /**
         * Replaces the long on the stack by ROTL(x, sh) & mask (rlwinm's ROTL32 when {@code word},
         * rldicl/rldicr/rldic's ROTL64), as a shift where the mask keeps only bits the shift moves:
         * left ((x & mask >>> sh) << sh, the form an address takes as a scaled index), right, or
         * an and alone. A rotate remains where the mask keeps bits from both sides, or where a
         * rlwinm mask wraps into the high word, which holds the low word's copy.
         */
        private void rotlMasked(boolean word, int sh, long mask) {
            int width = word ? 32 : 64;
            long round = (1L << sh) - 1; // the bits the rotate brings round from the top (sh < 64)
            if (word && (mask >>> 32) != 0) {
                rotl32(sh);
                cb.loadConstant(mask).land();
            } else if ((mask & round) == 0) {
                if (mask != -1L << sh) {
                    cb.loadConstant(mask >>> sh).land();
                }
                if (sh != 0) {
                    cb.loadConstant(sh).lshl();
                }
            } else if ((mask & ~round) == 0) {
                cb.loadConstant(width - sh).lushr();
                if (word || mask != round) {
                    cb.loadConstant(mask).land();
                }
            } else if (word) {
                cb.l2i().istore(N).iload(N).loadConstant(sh).ishl().iload(N).loadConstant(32 - sh).iushr().ior().i2l();
                cb.loadConstant(mask).land();
            } else {
                rotl64(sh);
                cb.loadConstant(mask).land();
            }
        }

        /** XER[CA] and [CA32] of a + b = v with a in A, b the constant {@code imm}, v in VAL. */
        private void carryOfAdd(long imm) {
            cb.lload(A).loadConstant(imm).land();
            cb.lload(A).loadConstant(imm).lor().lload(VAL).loadConstant(-1L).lxor().land();
            cb.lor().lstore(T1);
            cb.lload(T1).loadConstant(63).lushr().l2i().istore(CA);
            cb.lload(T1).loadConstant(31).lushr().l2i().iconst_1().iand().istore(CA32);
            caDirty = true;
        }

        /**
         * XER[CA] and [CA32] of an algebraic right shift of A by the constant {@code n}: set when A
         * is negative and one bits are shifted out.
         */
        private void carryOfShift(int n) {
            if (n == 0) {
                cb.iconst_0();
            } else {
                cb.lload(A).loadConstant(63).lushr();
                cb.lload(A).loadConstant((1L << n) - 1).land().lstore(T1);
                cb.lload(T1).lload(T1).lneg().lor().loadConstant(63).lushr();
                cb.land().l2i();
            }
            cb.dup().istore(CA).istore(CA32);
            caDirty = true;
        }

        private void alu(String name, MethodTypeDesc type) {
            cb.invokestatic(CD_ALU, name, type);
        }

        private void insn(DecodedInsn d, int i) {
            int rt = d.rt();
            int ra = d.ra();
            int rb = d.rb();
            long imm = d.imm();
            switch (d.op()) {
                case Op.ADDI -> {
                    ld(ra);
                    cb.loadConstant(imm).ladd();
                    st(rt);
                }
                case Op.ORI -> {
                    ld(rt);
                    cb.loadConstant(imm).lor();
                    st(ra);
                }
                case Op.XORI -> {
                    ld(rt);
                    cb.loadConstant(imm).lxor();
                    st(ra);
                }
                case Op.ANDI -> {
                    ld(rt);
                    cb.loadConstant(imm).land();
                    st(ra);
                    cr0FromReg(ra);
                }
                case Op.MULLI -> {
                    ld(ra);
                    cb.loadConstant(imm).lmul();
                    st(rt);
                }
                case Op.ADDIC, Op.SUBFIC -> {
                    ld(ra);
                    if (d.op() == Op.SUBFIC) {
                        cb.loadConstant(-1L).lxor();
                    }
                    cb.lstore(A);
                    cb.lload(A).loadConstant(imm).ladd();
                    if (d.op() == Op.SUBFIC) {
                        cb.lconst_1().ladd();
                    }
                    cb.lstore(VAL);
                    carryOfAdd(imm);
                    cb.lload(VAL);
                    st(rt);
                    rc(d, rt);
                }
                case Op.CMPI, Op.CMPLI -> {
                    boolean wide = (rt & 1) != 0;
                    ld(ra);
                    if (!wide) {
                        if (d.op() == Op.CMPI) {
                            cb.l2i().i2l();
                        } else {
                            cb.loadConstant(0xffffffffL).land();
                        }
                    }
                    cb.loadConstant(imm);
                    crField(rt >>> 2, d.op() == Op.CMPLI);
                }
                case Op.CMP, Op.CMPL -> {
                    boolean wide = d.aux() != 0;
                    for (int r : new int[] {ra, rb}) {
                        ld(r);
                        if (!wide) {
                            if (d.op() == Op.CMP) {
                                cb.l2i().i2l();
                            } else {
                                cb.loadConstant(0xffffffffL).land();
                            }
                        }
                    }
                    crField(rt, d.op() == Op.CMPL);
                }
                case Op.ROTL32_MASK, Op.ROTL64_MASK -> {
                    ld(rt);
                    rotlMasked(d.op() == Op.ROTL32_MASK, d.aux(), imm);
                    st(ra);
                    rc(d, ra);
                }
                case Op.ROTL32_REG_MASK, Op.ROTL32_INSERT -> {
                    if (d.op() == Op.ROTL32_REG_MASK) {
                        ld(rb);
                        cb.l2i().loadConstant(31).iand().istore(N);
                    }
                    ld(rt);
                    rotl32(d.op() == Op.ROTL32_REG_MASK ? -1 : d.aux());
                    cb.loadConstant(imm).land();
                    if (d.op() == Op.ROTL32_INSERT) {
                        ld(ra);
                        cb.loadConstant(~imm).land().lor();
                    }
                    st(ra);
                    rc(d, ra);
                }
                case Op.ROTL64_REG_MASK, Op.ROTL64_INSERT -> {
                    if (d.op() == Op.ROTL64_REG_MASK) {
                        ld(rb);
                        cb.l2i().loadConstant(63).iand().istore(N);
                    }
                    ld(rt);
                    rotl64(d.op() == Op.ROTL64_REG_MASK ? -1 : d.aux());
                    cb.loadConstant(imm).land();
                    if (d.op() == Op.ROTL64_INSERT) {
                        ld(ra);
                        cb.loadConstant(~imm).land().lor();
                    }
                    st(ra);
                    rc(d, ra);
                }
                case Op.AND, Op.ANDC, Op.OR, Op.ORC, Op.XOR, Op.NAND, Op.NOR, Op.EQV -> {
                    ld(rt);
                    ld(rb);
                    if (d.op() == Op.ANDC || d.op() == Op.ORC) {
                        cb.loadConstant(-1L).lxor();
                    }
                    switch (d.op()) {
                        case Op.AND, Op.ANDC, Op.NAND -> cb.land();
                        case Op.OR, Op.ORC, Op.NOR -> cb.lor();
                        default -> cb.lxor();
                    }
                    if (d.op() == Op.NAND || d.op() == Op.NOR || d.op() == Op.EQV) {
                        cb.loadConstant(-1L).lxor();
                    }
                    st(ra);
                    rc(d, ra);
                }
                case Op.EXTSB, Op.EXTSH, Op.EXTSW -> {
                    ld(rt);
                    cb.l2i();
                    if (d.op() == Op.EXTSB) {
                        cb.i2b();
                    } else if (d.op() == Op.EXTSH) {
                        cb.i2s();
                    }
                    cb.i2l();
                    st(ra);
                    rc(d, ra);
                }
                case Op.CNTLZW, Op.CNTTZW -> {
                    ld(rt);
                    cb.l2i();
                    cb.invokestatic(CD_INTEGER, d.op() == Op.CNTLZW ? "numberOfLeadingZeros" : "numberOfTrailingZeros",
                            MethodTypeDesc.of(CD_int, CD_int));
                    cb.i2l();
                    st(ra);
                    rc(d, ra);
                }
                case Op.CNTLZD, Op.CNTTZD -> {
                    ld(rt);
                    cb.invokestatic(CD_LONG_BOX, d.op() == Op.CNTLZD ? "numberOfLeadingZeros" : "numberOfTrailingZeros",
                            MethodTypeDesc.of(CD_int, CD_long));
                    cb.i2l();
                    st(ra);
                    rc(d, ra);
                }
                case Op.SLW, Op.SRW, Op.SLD, Op.SRD -> {
                    // Shift counts past the operand width give 0 (SLW/SRW: rb & 63 > 31; SLD/SRD: rb & 127 > 63).
                    boolean word = d.op() == Op.SLW || d.op() == Op.SRW;
                    Label zero = cb.newLabel();
                    Label done = cb.newLabel();
                    ld(rb);
                    cb.l2i().loadConstant(word ? 63 : 127).iand().istore(N);
                    cb.iload(N).loadConstant(word ? 31 : 63).if_icmpgt(zero);
                    ld(rt);
                    if (d.op() == Op.SRW) {
                        cb.loadConstant(0xffffffffL).land();
                    }
                    cb.iload(N);
                    if (d.op() == Op.SLW || d.op() == Op.SLD) {
                        cb.lshl();
                    } else {
                        cb.lushr();
                    }
                    if (d.op() == Op.SLW) {
                        cb.loadConstant(0xffffffffL).land();
                    }
                    cb.goto_(done);
                    cb.labelBinding(zero);
                    cb.lconst_0();
                    cb.labelBinding(done);
                    st(ra);
                    rc(d, ra);
                }
                case Op.SRAWI, Op.SRADI -> {
                    int n = d.aux();
                    ld(rt);
                    if (d.op() == Op.SRAWI) {
                        cb.l2i().i2l(); // the low word, sign-extended: shifting it is sraw's result
                    }
                    cb.lstore(A);
                    carryOfShift(n);
                    cb.lload(A).loadConstant(n).lshr();
                    st(ra);
                    rc(d, ra);
                }
                case Op.SRAW, Op.SRAD -> {
                    boolean word = d.op() == Op.SRAW;
                    ld(rb);
                    cb.l2i().loadConstant(word ? 63 : 127).iand();
                    cb.istore(N);
                    ld(rt);
                    cb.lstore(A);
                    cb.lload(A).iload(N);
                    alu(word ? "srawCarry" : "sradCarry", I_JI);
                    cb.dup().istore(CA).istore(CA32);
                    caDirty = true;
                    cb.lload(A).iload(N);
                    alu(word ? "sraw" : "srad", J_JI);
                    st(ra);
                    rc(d, ra);
                }
                case Op.ADD, Op.SUBF -> {
                    if (d.op() == Op.ADD) {
                        ld(ra);
                        ld(rb);
                    } else {
                        ld(rb);
                        ld(ra);
                    }
                    if (d.op() == Op.ADD) {
                        cb.ladd();
                    } else {
                        cb.lsub();
                    }
                    st(rt);
                    rc(d, rt);
                }
                case Op.NEG -> {
                    ld(ra);
                    cb.lneg();
                    st(rt);
                    rc(d, rt);
                }
                case Op.MULLD -> {
                    ld(ra);
                    ld(rb);
                    cb.lmul();
                    st(rt);
                    rc(d, rt);
                }
                case Op.MULLW, Op.MULHW, Op.MULHWU -> {
                    // The product of the low words (signed, or unsigned for mulhwu); mulhw[u] keep its high word.
                    for (int r : new int[] {ra, rb}) {
                        ld(r);
                        if (d.op() == Op.MULHWU) {
                            cb.loadConstant(0xffffffffL).land();
                        } else {
                            cb.l2i().i2l();
                        }
                    }
                    cb.lmul();
                    if (d.op() != Op.MULLW) {
                        cb.loadConstant(32).lushr();
                    }
                    st(rt);
                    rc(d, rt);
                }
                case Op.DIVW, Op.DIVWU, Op.DIVD, Op.DIVDU -> {
                    ld(ra);
                    ld(rb);
                    alu(switch (d.op()) {
                        case Op.DIVW -> "divw";
                        case Op.DIVWU -> "divwu";
                        case Op.DIVD -> "divd";
                        default -> "divdu";
                    }, J_JJ);
                    st(rt);
                    rc(d, rt);
                }
                case Op.MULHD, Op.MULHDU -> {
                    ld(ra);
                    ld(rb);
                    cb.invokestatic(CD_MATH, d.op() == Op.MULHD ? "multiplyHigh" : "unsignedMultiplyHigh", J_JJ);
                    st(rt);
                    rc(d, rt);
                }
                case Op.MADDLD -> {
                    ld(ra);
                    ld(rb);
                    cb.lmul();
                    ld(d.aux());
                    cb.ladd();
                    st(rt);
                }
                case Op.MADDHD, Op.MADDHDU -> {
                    ld(ra);
                    ld(rb);
                    ld(d.aux());
                    alu(d.op() == Op.MADDHD ? "maddhd" : "maddhdu", MethodTypeDesc.of(CD_long, CD_long, CD_long, CD_long));
                    st(rt);
                }
                case Op.ISEL -> {
                    Label other = cb.newLabel();
                    Label done = cb.newLabel();
                    crBit(d.aux());
                    cb.ifeq(other);
                    ld(ra);
                    cb.lstore(VAL).goto_(done);
                    cb.labelBinding(other);
                    ld(rb);
                    cb.lstore(VAL);
                    cb.labelBinding(done);
                    cb.lload(VAL);
                    st(rt);
                }
                case Op.CRLOGIC -> {
                    // CR bit rt = bit (2 * CR[ra] + CR[rb]) of the truth table in aux.
                    crBit(ra);
                    cb.iconst_1().ishl();
                    crBit(rb);
                    cb.iadd().istore(N);
                    int bit = 3 - (rt & 3);
                    cb.loadConstant(d.aux()).iload(N).iushr().iconst_1().iand().loadConstant(bit).ishl();
                    field(rt >>> 2);
                    cb.loadConstant(~(1 << bit)).iand().ior();
                    rawField(rt >>> 2);
                    crDirty = true;
                    fused &= ~(1 << (rt >>> 2));
                }
                case Op.MCRF -> {
                    cb.iload(CRF + ra).istore(CRF + rt);
                    cb.lload(CRA + 2 * ra).lstore(CRA + 2 * rt);
                    cb.lload(CRB + 2 * ra).lstore(CRB + 2 * rt);
                    crDirty = true;
                    fused = (fused & ~(1 << rt)) | (((fused >>> ra) & 1) << rt);
                    fusedUnsigned = (fusedUnsigned & ~(1 << rt)) | (((fusedUnsigned >>> ra) & 1) << rt);
                }
                case Op.MFCR -> {
                    crWhole();
                    cb.loadConstant(d.aux()).iand().i2l().loadConstant(0xffffffffL).land();
                    st(rt);
                }
                case Op.MTCRF -> {
                    // FXM as a nibble mask in aux: each field it names takes rt's nibble.
                    ld(rt);
                    cb.l2i().istore(N);
                    int named = nibbles(d.aux());
                    for (int f = 0; f < 8; f++) {
                        if ((named & (1 << f)) != 0) {
                            fieldOf(N, f);
                            fused &= ~(1 << f);
                        }
                    }
                    crDirty = true;
                }
                case Op.MFLR -> {
                    cb.lload(LR);
                    st(rt);
                }
                case Op.MTLR -> {
                    ld(rt);
                    cb.lstore(LR);
                    lrDirty = true;
                }
                case Op.MFCTR -> {
                    cb.lload(CTR);
                    st(rt);
                }
                case Op.MTCTR -> {
                    ld(rt);
                    cb.lstore(CTR);
                    ctrDirty = true;
                }
                case Op.NOP -> {
                }
                case Op.LBZ, Op.LBZU -> load(d, i, 1, le, false);
                case Op.LHZ, Op.LHZU -> load(d, i, 2, le, false);
                case Op.LHA, Op.LHAU -> load(d, i, 2, le, true);
                case Op.LWZ, Op.LWZU -> load(d, i, 4, le, false);
                case Op.LWA, Op.LWAU -> load(d, i, 4, le, true);
                case Op.LD, Op.LDU -> load(d, i, 8, le, false);
                case Op.LHBRX -> load(d, i, 2, !le, false);
                case Op.LWBRX -> load(d, i, 4, !le, false);
                case Op.LDBRX -> load(d, i, 8, !le, false);
                case Op.STB, Op.STBU -> store(d, i, 1, le);
                case Op.STH, Op.STHU -> store(d, i, 2, le);
                case Op.STW, Op.STWU -> store(d, i, 4, le);
                case Op.STD, Op.STDU -> store(d, i, 8, le);
                case Op.STHBRX -> store(d, i, 2, !le);
                case Op.STWBRX -> store(d, i, 4, !le);
                case Op.STDBRX -> store(d, i, 8, !le);
                default -> throw new IllegalStateException("BlockCompiler: op " + d.op() + " is not translatable");
            }
        }

        static boolean isUpdate(int op) {
            return switch (op) {
                case Op.LBZU, Op.LHZU, Op.LHAU, Op.LWZU, Op.LWAU, Op.LDU, Op.STBU, Op.STHU, Op.STWU, Op.STDU -> true;
                default -> false;
            };
        }

        /** EA = (RA|0) + (RB|0) + displacement into EA; side exit unless [EA, EA+size) is in RAM. */
        private void effectiveAddress(DecodedInsn d, int i, int size) {
            if (counting != null && counting.base()[i] != CHECKED) {
                // The counted copy: the base's value on entry plus pass * stride, plus the constant;
                // the counted copy's tests put it in RAM. Through a host base (hostBases) the access
                // makes its address there, and only an update form reads EA.
                int base = counting.base()[i];
                if (base != PpcDecoder.ZERO && hostBased[base] && !isUpdate(d.op())) {
                    return;
                }
                if (base == PpcDecoder.ZERO) {
                    cb.loadConstant(counting.offset()[i]);
                } else {
                    cb.iload(LOOP_T).i2l().loadConstant(counting.stride()[i]).lmul().lload(LOOP_B + 2 * base).ladd();
                    cb.loadConstant(counting.offset()[i]).ladd();
                }
                cb.lstore(EA);
                return;
            }
            ld(d.ra());
            if (d.rb() != PpcDecoder.ZERO) {
                ld(d.rb());
                cb.ladd();
            }
            if (d.imm() != 0) {
                cb.loadConstant(d.imm()).ladd();
            }
            cb.lstore(EA);
            cb.loadConstant(i).istore(IDX);
            // Long.compareUnsigned is a C2 intrinsic (an unsigned compare), not a call. EA < ramSize
            // - size + 1, the form of the segment access's own bounds check, so that the JIT sees
            // one compare for both and drops the second test.
            cb.lload(EA).loadConstant(ramSize - size + 1);
            cb.invokestatic(CD_LONG_BOX, "compareUnsigned", I_JJ);
            cb.ifge(sideExit);
        }

        /**
         * Pushes the segment instruction {@code i} accesses and returns true if it is ALL: for an
         * access of a counted copy that the copy's tests put in RAM, where {@link #based}; else RAM.
         */
        private boolean segment(int i) {
            boolean all = based && counting != null && counting.base()[i] != CHECKED;
            cb.aload(all ? ALL : RAM);
            return all;
        }

        /**
         * Pushes the offset of instruction {@code i}'s access into the segment {@link #segment}
         * pushed: in RAM, EA; in ALL ({@code all}), the host address under {@link #HOST_MASK},
         * which for a base register with a host base ({@link #hostBases}) is that base plus pass
         * times stride plus the access's distance from the lowest, else EA plus the RAM's address,
         * masked.
         */
        private void segmentOffset(boolean all, int i) {
            int r = all ? counting.base()[i] : -1;
            if (r >= 0 && r != PpcDecoder.ZERO && hostBased[r]) {
                cb.lload(HOST_B + 2 * r);
                if (counting.stride()[i] != 0) {
                    cb.iload(LOOP_T).i2l().loadConstant(counting.stride()[i]).lmul().ladd();
                }
                cb.loadConstant(counting.offset()[i] - hostLow[r]).ladd();
                return;
            }
            cb.lload(EA);
            if (all) {
                cb.lload(RAM_BASE).ladd().loadConstant(HOST_MASK).land();
            }
        }

        private void load(DecodedInsn d, int i, int size, boolean little, boolean algebraic) {
            effectiveAddress(d, i, size);
            boolean all = segment(i);
            switch (size) {
                case 1 -> {
                    cb.getstatic(CD_VALUE_LAYOUT, "JAVA_BYTE", CD_OF_BYTE);
                    segmentOffset(all, i);
                    cb.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_byte, CD_OF_BYTE, CD_long));
                    cb.loadConstant(0xff).iand().i2l();
                }
                case 2 -> {
                    cb.getstatic(CD_CPU, little ? "H_LE" : "H_BE", CD_OF_SHORT);
                    segmentOffset(all, i);
                    cb.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_short, CD_OF_SHORT, CD_long));
                    if (!algebraic) {
                        cb.loadConstant(0xffff).iand();
                    }
                    cb.i2l();
                }
                case 4 -> {
                    cb.getstatic(CD_CPU, little ? "W_LE" : "W_BE", CD_OF_INT);
                    segmentOffset(all, i);
                    cb.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_int, CD_OF_INT, CD_long));
                    cb.i2l();
                    if (!algebraic) {
                        cb.loadConstant(0xffffffffL).land();
                    }
                }
                default -> {
                    cb.getstatic(CD_CPU, little ? "D_LE" : "D_BE", CD_OF_LONG);
                    segmentOffset(all, i);
                    cb.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_long, CD_OF_LONG, CD_long));
                }
            }
            st(d.rt());
            if (isUpdate(d.op())) {
                cb.lload(EA);
                st(d.ra());
            }
        }

        private void store(DecodedInsn d, int i, int size, boolean little) {
            ld(d.rt());
            cb.lstore(VAL);
            effectiveAddress(d, i, size);
            // A store into a page holding decoded code goes to the interpreter, which invalidates.
            // The flags are read only for a store that can touch the range the code pages span.
            if (counting == null || counting.base()[i] == CHECKED) {
                Label clear = cb.newLabel();
                cb.lload(EA).lload(CODE_LOW).lsub().lload(CODE_SPAN);
                cb.invokestatic(CD_LONG_BOX, "compareUnsigned", I_JJ);
                cb.ifge(clear);
                cb.aload(CODE_PAGES).lload(EA).loadConstant(12).lushr().l2i().baload().ifne(sideExit);
                if (size > 1) {
                    cb.aload(CODE_PAGES).lload(EA).loadConstant((long) size - 1).ladd().loadConstant(12).lushr().l2i()
                            .baload().ifne(sideExit);
                }
                cb.labelBinding(clear);
            }
            if (isUpdate(d.op())) {
                cb.lload(EA);
                st(d.ra());
            }
            boolean all = segment(i);
            switch (size) {
                case 1 -> {
                    cb.getstatic(CD_VALUE_LAYOUT, "JAVA_BYTE", CD_OF_BYTE);
                    segmentOffset(all, i);
                    cb.lload(VAL).l2i().i2b();
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_BYTE, CD_long, CD_byte));
                }
                case 2 -> {
                    cb.getstatic(CD_CPU, little ? "H_LE" : "H_BE", CD_OF_SHORT);
                    segmentOffset(all, i);
                    cb.lload(VAL).l2i().i2s();
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_SHORT, CD_long, CD_short));
                }
                case 4 -> {
                    cb.getstatic(CD_CPU, little ? "W_LE" : "W_BE", CD_OF_INT);
                    segmentOffset(all, i);
                    cb.lload(VAL).l2i();
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_INT, CD_long, CD_int));
                }
                default -> {
                    cb.getstatic(CD_CPU, little ? "D_LE" : "D_BE", CD_OF_LONG);
                    segmentOffset(all, i);
                    cb.lload(VAL);
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_LONG, CD_long, CD_long));
                }
            }
        }

        /**
         * The block's final branch. Every way on from it counts the block's {@code n} instructions,
         * so the budget is tested once, before the condition: while LEFT stays above 0 the branch
         * goes straight to its member (no test per edge); at CHECK the slow path tests the
         * attention flag and the limit (with room for the longest member the branch can go on to,
         * {@link #rest}), then either sets the next CHECK and goes on, or runs a second copy of the
         * branch whose every edge leaves. One slow
         * path per branch also keeps the JIT from merging the taken and not-taken edges' identical
         * slow paths into one computed on the hot path, where both meet.
         */
        private void branch(DecodedInsn d, int n) {
            Label fast = cb.newLabel();
            Label stop = cb.newLabel();
            cb.iinc(LEFT, -n);
            cb.iload(LEFT).ifgt(fast);
            budgetCheck(rest(d), stop);
            cb.labelBinding(fast);
            branchEdges(d, false);
            cb.labelBinding(stop);
            branchEdges(d, true);
        }

        /**
         * The most instructions the branch {@code d} can go on to run without another test: the
         * longest rest of a member among its direct targets, a whole block for a branch through LR
         * or CTR.
         */
        private int rest(DecodedInsn d) {
            if (d.op() == Op.BCLR || d.op() == Op.BCCTR) {
                return PpcCpu.MAX_BLOCK;
            }
            int most = 0;
            for (long target : d.op() == Op.B ? new long[] {d.imm()} : new long[] {d.imm(), d.pc() + 4}) {
                int t = locate(target);
                if (t >= 0) {
                    most = Math.max(most, blocks[t >>> 8].insns.length - (t & 0xff));
                }
            }
            return most;
        }

        /** The final branch's conditions, LR/CTR and edges, the budget already counted; all edges leave if {@code leave}. */
        private void branchEdges(DecodedInsn d, boolean leave) {
            long next = d.pc() + 4;
            int bo = d.rt();
            int bi = d.ra();
            boolean lk = d.aux() != 0;
            Label notTaken = cb.newLabel();
            switch (d.op()) {
                case Op.B -> {
                    if (lk) {
                        cb.loadConstant(next).lstore(LR);
                        lrDirty = true;
                    }
                    edge(d.imm(), leave);
                    return;
                }
                case Op.BC -> {
                    if (lk) {
                        cb.loadConstant(next).lstore(LR);
                        lrDirty = true;
                    }
                    condition(bo, bi, true, notTaken);
                    edge(d.imm(), leave);
                }
                case Op.BCLR -> {
                    cb.lload(LR).loadConstant(~3L).land().lstore(A);
                    if (lk) {
                        cb.loadConstant(next).lstore(LR);
                        lrDirty = true;
                    }
                    condition(bo, bi, true, notTaken);
                    dynamicEdge(leave);
                }
                default -> { // BCCTR
                    cb.lload(CTR).loadConstant(~3L).land().lstore(A);
                    if (lk) {
                        cb.loadConstant(next).lstore(LR);
                        lrDirty = true;
                    }
                    condition(bo, bi, false, notTaken);
                    dynamicEdge(leave);
                }
            }
            cb.labelBinding(notTaken);
            edge(next, leave);
        }

        /** An edge of the final branch to {@code target}: into its member, unless {@code leave} or none holds it. */
        private void edge(long target, boolean leave) {
            int t = locate(target);
            if (t >= 0 && !leave) {
                arrive(t);
            } else {
                leaveTo(target);
            }
        }

        /**
         * An edge of the running member's final branch to the address in A, unless {@code leave}:
         * in a region, first through a dispatch of its own over the entries the branch is known to
         * go to ({@link BlockCompiler#siteTargets}), then through the common one. A dispatch per
         * site is a host indirect jump per guest indirect branch, each predicted on its own as on
         * the guest's hardware; the common one alone mixes a jump table's cases, the functions of a
         * call table and the return sites of their returns at one host jump (JMH-free
         * PpcSuiteRate branchy, pinned side by side: 1.08x with a dispatch per site, the geometric
         * mean of six rounds).
         */
        private void dynamicEdge(boolean leave) {
            if (leave) {
                cb.lload(A).lstore(NEXT);
                leave();
                return;
            }
            if (dynamicExit == null) {
                dynamicExit = cb.newLabel();
            }
            long[] site = region && SITE_DISPATCH ? siteTargets(blocks, entries, b) : new long[0];
            if (site.length == 0) {
                cb.goto_(dynamicExit);
            } else {
                dispatch(site, dynamicExit);
            }
        }

        /**
         * A conditional branch inside the block, the {@code k}-th instruction: taken, it goes on at
         * its target; not taken, the block goes on.
         */
        private void innerBranch(DecodedInsn d, int k) {
            if (d.aux() != 0) {
                cb.loadConstant(d.pc() + 4).lstore(LR);
                lrDirty = true;
            }
            Label notTaken = cb.newLabel();
            condition(d.rt(), d.ra(), true, notTaken);
            CountedLoop loop = counted[member];
            if (loop != null && k == loop.end() + 1) {
                // The slow copy's back edge: to its own head, not through the counted copy's tests.
                cb.iinc(LEFT, -k);
                enter(member << 8 | loop.start(), d.imm(), slowHead);
            } else {
                exitTo(d.imm(), k);
            }
            cb.labelBinding(notTaken);
        }

        /**
         * The counted copy of member {@code k}'s counted loop ({@link CountedLoop}): tests that the
         * passes it will run are those the slow copy would run with every test passing, runs them,
         * then goes on after the loop or, where the budget stopped it short, at the slow copy's
         * head ({@link #slowHead}); to the slow copy's head at once where a test fails.
         */
        private void emitCounted(int k, CountedLoop loop) {
            int start = loop.start();
            int end = loop.end();
            int len = end + 1 - start;
            DecodedInsn[] insns = blocks[k].insns;
            // CTR allows COUNTED_MIN + 1 to COUNTED_MAX passes.
            cb.lload(CTR).loadConstant(COUNTED_MIN + 1).lsub().loadConstant(COUNTED_MAX - COUNTED_MIN);
            cb.invokestatic(CD_LONG_BOX, "compareUnsigned", I_JJ);
            cb.ifge(slowHead);
            cb.lload(CTR).l2i().istore(LOOP_N);
            // The slow copy's back edge counts the member up to it (end + 1) and takes the fast way
            // while LEFT stays above 0, then arrives at start (LEFT back up by start): so the
            // first (LEFT - start - 1) / len back edges take it. The counted copy runs as many
            // passes, at most N - 1 (the last, whose bdnz falls through, is the slow copy's).
            Label fits = cb.newLabel();
            cb.iload(LEFT).loadConstant(start + 1).isub().loadConstant(len).idiv().istore(LOOP_M);
            cb.iload(LOOP_N).iconst_1().isub().iload(LOOP_M).if_icmpge(fits);
            cb.iload(LOOP_N).iconst_1().isub().istore(LOOP_M);
            cb.labelBinding(fits);
            cb.iload(LOOP_M).loadConstant((int) COUNTED_MIN).if_icmplt(slowHead);
            // Every access of passes 0 to M - 1 in RAM, every store clear of the code range.
            boolean[] snapshot = new boolean[32];
            for (int i = start; i < end; i++) {
                int base = loop.base()[i];
                if (base < 0) {
                    continue;
                }
                int size = accessSize(insns[i].op());
                long stride = loop.stride()[i];
                ld(base);
                cb.loadConstant(loop.offset()[i]).ladd().lstore(T1);
                cb.lload(T1).loadConstant(ramSize - size + 1);
                cb.invokestatic(CD_LONG_BOX, "compareUnsigned", I_JJ);
                cb.ifge(slowHead);
                if (stride != 0) {
                    // |(M - 1) * stride| < 2^40 and the first address is in RAM: no overflow.
                    cb.lload(T1).iload(LOOP_M).iconst_1().isub().i2l().loadConstant(stride).lmul().ladd().lstore(VAL);
                    cb.lload(VAL).lconst_0().lcmp().iflt(slowHead);
                    cb.lload(VAL).loadConstant(ramSize - size + 1).lcmp().ifge(slowHead);
                } else {
                    cb.lload(T1).lstore(VAL);
                }
                if (isStore(insns[i].op())) {
                    // [lowest, highest + size) ends at or below CODE_LOW or starts at or above its end.
                    Label clear = cb.newLabel();
                    int lowest = stride >= 0 ? T1 : VAL;
                    int highest = stride >= 0 ? VAL : T1;
                    cb.lload(highest).loadConstant((long) size).ladd().lload(CODE_LOW).lcmp().ifle(clear);
                    cb.lload(lowest).lload(CODE_LOW).lload(CODE_SPAN).ladd().lcmp().iflt(slowHead);
                    cb.labelBinding(clear);
                }
                if (base != PpcDecoder.ZERO) {
                    snapshot[base] = true;
                }
            }
            for (int r = 0; r < 32; r++) {
                if (snapshot[r]) {
                    cb.lload(slot(r)).lstore(LOOP_B + 2 * r);
                }
            }
            hostBases(loop, start, end);
            // The passes, an int-counted loop whose only exits are the tests of accesses that are
            // not affine: those go out through a stub that first sets CTR and LEFT to what the
            // slow copy would hold there (LOOP_T passes done), then on to the member's side exit.
            Label head = cb.newLabel();
            Label memberExit = sideExit;
            Label countedExit = cb.newLabel();
            Label onePerPass = cb.newLabel();
            if (loop.bulk() != null) {
                bulkPasses(loop.bulk(), onePerPass, head);
            }
            cb.labelBinding(onePerPass);
            cb.iconst_0().istore(LOOP_T);
            cb.labelBinding(head);
            fused = 0;
            counting = loop;
            sideExit = countedExit;
            for (int i = start; i < end; i++) {
                insn(insns[i], i);
            }
            sideExit = memberExit;
            counting = null;
            cb.iinc(LOOP_T, 1);
            cb.iload(LOOP_T).iload(LOOP_M).if_icmplt(head);
            // M passes and their back edges: CTR less M, LEFT less M * len; the rest in the slow copy.
            ctrDirty = true;
            cb.lload(CTR).iload(LOOP_M).i2l().lsub().lstore(CTR);
            cb.iload(LEFT).iload(LOOP_M).loadConstant(len).imul().isub().istore(LEFT);
            cb.goto_(slowHead);
            cb.labelBinding(countedExit);
            cb.lload(CTR).iload(LOOP_T).i2l().lsub().lstore(CTR);
            cb.iload(LEFT).iload(LOOP_T).loadConstant(len).imul().isub().istore(LEFT);
            cb.goto_(memberExit);
        }

        /**
         * Where counted copies reach RAM through its address ({@link #based}): per base register of
         * the loop's affine accesses that steps forward or not at all, the host address of its
         * lowest access on entry, masked ({@link #HOST_MASK}), into HOST_B. An access is then that
         * plus pass * stride plus its distance from the lowest, which the JIT knows to be at least 0
         * and below 2^62 + 2^51 (passes below 2^31, strides at most {@link #STRIDE_MAX}), so that
         * the segment's bounds check goes and the address is a register plus a displacement, one
         * mask per register on entry where each access had its own: matmul 1.31x (JMH-free
         * PpcSuiteRate, pinned side by side, the geometric mean of six rounds), the others within
         * 1%. Not for a bulk move, whose last pass alone runs as code (memops 0.97x with it). The
         * copy's tests put the lowest access in RAM, so the mask changes nothing. A register
         * stepping backward keeps the mask per access.
         */
        private void hostBases(CountedLoop loop, int start, int end) {
            java.util.Arrays.fill(hostBased, false);
            if (!based || loop.bulk() != null) {
                return;
            }
            java.util.Arrays.fill(hostLow, Long.MAX_VALUE);
            boolean[] backward = new boolean[32];
            for (int i = start; i < end; i++) {
                int r = loop.base()[i];
                if (r < 0 || r == PpcDecoder.ZERO) {
                    continue;
                }
                backward[r] |= loop.stride()[i] < 0;
                hostLow[r] = Math.min(hostLow[r], loop.offset()[i]);
            }
            for (int r = 0; r < 32; r++) {
                if (hostLow[r] != Long.MAX_VALUE && !backward[r]) {
                    hostBased[r] = true;
                    cb.lload(RAM_BASE).lload(LOOP_B + 2 * r).ladd().loadConstant(hostLow[r]).ladd();
                    cb.loadConstant(HOST_MASK).land().lstore(HOST_B + 2 * r);
                }
            }
        }

        /**
         * The memory of passes 0 to M - 2 of a {@link Bulk} counted copy moved at once, its
         * stepped registers set to their values at pass M - 1, then on at {@code head} with that
         * pass; to {@code onePerPass} (nothing changed) where a copy's source and destination
         * overlap or a fill's value is not one byte repeated.
         */
        private void bulkPasses(Bulk m, Label onePerPass, Label head) {
            // A: the bytes; EA: the destination; VAL: a copy's source.
            cb.iload(LOOP_M).iconst_1().isub().i2l().loadConstant(m.span()).lmul().lstore(A);
            cb.lload(LOOP_B + 2 * m.dstBase()).loadConstant(m.dstLow()).ladd().lstore(EA);
            if (m.copy()) {
                cb.lload(LOOP_B + 2 * m.srcBase()).loadConstant(m.srcLow()).ladd().lstore(VAL);
                cb.lload(VAL).lload(EA).lsub().invokestatic(CD_MATH, "abs", MethodTypeDesc.of(CD_long, CD_long));
                cb.lload(A).lcmp().iflt(onePerPass);
                cb.aload(RAM).lload(VAL).aload(RAM).lload(EA).lload(A);
                cb.invokestatic(CD_SEGMENT, "copy",
                        MethodTypeDesc.of(CD_void, CD_SEGMENT, CD_long, CD_SEGMENT, CD_long, CD_long), true);
            } else {
                long ones = m.size() == 8 ? 0x0101010101010101L : (1L << (8 * m.size())) / 0xff;
                long mask = m.size() == 8 ? -1L : (1L << (8 * m.size())) - 1;
                ld(m.value());
                cb.loadConstant(mask).land();
                ld(m.value());
                cb.loadConstant(0xffL).land().loadConstant(ones).lmul();
                cb.lcmp().ifne(onePerPass);
                cb.aload(RAM).lload(EA).lload(A);
                ld(m.value());
                cb.l2i().i2b();
                cb.invokestatic(CD_COMPILER, "fill", MethodTypeDesc.of(CD_void, CD_SEGMENT, CD_long, CD_long, CD_byte));
            }
            for (int n = 0; n < m.regs().length; n++) {
                int r = m.regs()[n];
                ld(r);
                cb.iload(LOOP_M).iconst_1().isub().i2l().loadConstant(m.steps()[n]).lmul().ladd();
                st(r);
            }
            cb.iload(LOOP_M).iconst_1().isub().istore(LOOP_T);
            cb.goto_(head);
        }

        private void condition(int bo, int bi, boolean ctrAllowed, Label notTaken) {
            if (ctrAllowed && (bo & 4) == 0) {
                cb.lload(CTR).lconst_1().lsub().lstore(CTR);
                ctrDirty = true;
                cb.lload(CTR).lconst_0().lcmp();
                if ((bo & 2) == 0) {
                    cb.ifeq(notTaken); // branch if CTR != 0
                } else {
                    cb.ifne(notTaken); // branch if CTR == 0
                }
            }
            if ((bo & 0x10) == 0) {
                boolean ifSet = (bo & 8) != 0;
                int f = bi >>> 2;
                if ((bi & 3) != 3) {
                    // LT, GT or EQ (SO, bit 3, is read through crBit below): a compare tests its
                    // operands, LT < 0, GT > 0, EQ == 0.
                    if ((fused & (1 << f)) != 0) {
                        // The compare's kind is known here.
                        compare(f, (fusedUnsigned & (1 << f)) != 0);
                        testCompare(bi & 3, ifSet, notTaken);
                        return;
                    }
                    // The kind as the paths that meet here left it; a raw nibble tests its bit.
                    Label raw = cb.newLabel();
                    Label taken = cb.newLabel();
                    compareByKind(f, raw, () -> {
                        testCompare(bi & 3, ifSet, notTaken);
                        cb.goto_(taken);
                    });
                    cb.labelBinding(raw);
                    cb.iload(CRF + f).loadConstant(8 + 3 - (bi & 3)).iushr().iconst_1().iand();
                    if (ifSet) {
                        cb.ifeq(notTaken);
                    } else {
                        cb.ifne(notTaken);
                    }
                    cb.labelBinding(taken);
                    return;
                }
                crBit(bi);
                if (ifSet) {
                    cb.ifeq(notTaken);
                } else {
                    cb.ifne(notTaken);
                }
            }
        }

        /**
         * Goes on at {@code target} after the first {@code n} instructions of the running member:
         * into the member starting there if there is one, else out through the common exit.
         */
        private void exitTo(long target, int n) {
            cb.iinc(LEFT, -n);
            int t = locate(target);
            if (t >= 0) {
                enter(t, target);
            } else {
                leaveTo(target);
            }
        }

        /** Pushes the instructions retired so far: CHECK - LEFT. */
        private void count() {
            cb.iload(CHECK).iload(LEFT).isub();
        }

        /**
         * Enters the instruction {@code where} ({@link #locate}, at {@code target}) after an edge
         * that is not a block's final branch (a taken {@code bc} inside a block, or the fall-through
         * of a block without a branch), its instructions already counted. While the count is below
         * CHECK (LEFT above 0) that is one test: CHECK is at most the limit less a whole block (so
         * the rest of any member fits) and at most the next multiple of ATTENTION_PERIOD. At CHECK
         * the edge reads the CPU's attention flag opaquely (no barrier), tests the limit exactly,
         * leaving if a stop or interrupt was raised meanwhile or the member would not fit, and sets
         * the next CHECK ({@link #budgetCheck}). One branch per edge taken every few thousand
         * instructions also keeps the JIT from compiling the rare exits as traps that recompile the
         * method when first taken.
         */
        private void enter(int where, long target) {
            enter(where, target, null);
        }

        /** {@link #enter(int, long)}, going on at {@code to} instead where it is not null. */
        private void enter(int where, long target, Label to) {
            Label stop = cb.newLabel();
            Label go = cb.newLabel();
            int rest = blocks[where >>> 8].insns.length - (where & 0xff);
            cb.iload(LEFT).ifgt(go);
            budgetCheck(rest, stop);
            if (to != null) {
                // A new CHECK: the counted copy's tests again, where the budget allows more passes.
                arrive(where);
                cb.labelBinding(go);
                int i = where & 0xff;
                if (i > 0) {
                    cb.iinc(LEFT, i);
                }
                cb.goto_(to);
            } else {
                cb.labelBinding(go);
                arrive(where);
            }
            cb.labelBinding(stop);
            leaveTo(target);
        }

        /**
         * CHECK = min(the next multiple of ATTENTION_PERIOD above the count, LIMIT - MAX_BLOCK), and
         * LEFT to match (RET holds the count meanwhile: it is set only on the way out).
         */
        private void nextCheck() {
            count();
            cb.istore(RET);
            cb.iload(RET).aload(CPU).getfield(CD_CPU, "checkMask", CD_int).ior().iconst_1().iadd();
            cb.aload(CPU).getfield(CD_CPU, "checkCap", CD_int);
            cb.invokestatic(CD_MATH, "min", MethodTypeDesc.of(CD_int, CD_int, CD_int)).istore(CHECK);
            cb.iload(CHECK).iload(RET).isub().istore(LEFT);
        }

        /**
         * The budget's slow path, at CHECK (LEFT at 0 or below): jumps to {@code stop} if the
         * attention flag is up or the next {@code rest} instructions would pass the limit, else
         * sets the next CHECK. The flag is read first and the rest from the CPU after it ({@link
         * PpcCpu#checkCap}), so that none of it can be computed before the test that leads here.
         */
        private void budgetCheck(int rest, Label stop) {
            cb.aload(CPU).invokestatic(CD_CPU, "attentionOpaque", MethodTypeDesc.of(CD_boolean, CD_CPU)).ifne(stop);
            count();
            cb.loadConstant(rest - PpcCpu.MAX_BLOCK).iadd().aload(CPU).getfield(CD_CPU, "checkCap", CD_int).if_icmpgt(stop);
            nextCheck();
        }

        /**
         * The one dispatch every branch through LR or CTR jumps to, emitted once after the
         * members: A holds the target; the edge's instructions are already counted.
         */
        private void emitDynamicExit() {
            cb.labelBinding(dynamicExit);
            Label out = cb.newLabel();
            dispatch(entries, out);
            cb.labelBinding(out);
            cb.lload(A).lstore(NEXT);
            leave();
        }

        /** Out through the common exit to go on at {@code target}, the count so far retired. */
        private void leaveTo(long target) {
            cb.loadConstant(target).lstore(NEXT);
            leave();
        }

        /** Out through the common exit to go on at NEXT, the count so far retired. */
        private void leave() {
            count();
            cb.istore(RET).goto_(commonExit);
        }

        private void writeBack() {
            for (int r = 0; r < 32; r++) {
                if (dirty[r]) {
                    cb.aload(GPRS).loadConstant(r).lload(slot(r)).lastore();
                }
            }
            if (crDirty) {
                cb.aload(CPU);
                crWhole();
                cb.putfield(CD_CPU, "cr", CD_int);
            }
            if (caDirty) {
                cb.aload(CPU).iload(CA).putfield(CD_CPU, "ca", CD_boolean);
                cb.aload(CPU).iload(CA32).putfield(CD_CPU, "ca32", CD_boolean);
            }
            if (lrDirty) {
                cb.aload(CPU).lload(LR).putfield(CD_CPU, "lr", CD_long);
            }
            if (ctrDirty) {
                cb.aload(CPU).lload(CTR).putfield(CD_CPU, "ctr", CD_long);
            }
        }
    }
}
