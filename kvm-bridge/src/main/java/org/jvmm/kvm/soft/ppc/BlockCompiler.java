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
 * locals, runs the instructions on the locals, and writes back what it changed at every exit. A
 * conditional branch inside the block is a conditional exit. A branch to the block's own start
 * (at its end or inside it) becomes a JVM loop bounded by the instruction limit.
 * Loads and stores test the RAM bounds (constants: the class is made for one CPU) and, for stores,
 * the page-holds-code flag; either test failing is a side exit that hands the instruction to the
 * interpreter with all earlier instructions complete (the interpreter handles MMIO exits and code
 * invalidation). Only the common fixed-point subset is translated (no XER OV forms, no SPR/MSR
 * access, no traps, sc or larx/stcx.); a block is translated up to its first instruction outside
 * that subset, which is then handed to the interpreter like a side exit. The CPU's RAM segment
 * and code-page flags are the hidden class's class data, loaded as constants.
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
    private static final MethodTypeDesc I_JJJ = MethodTypeDesc.of(CD_int, CD_long, CD_long, CD_long);

    // Local variable slots of the generated run(PpcCpu cpu, int limit).
    private static final int CPU = 1;
    private static final int LIMIT = 2;
    private static final int COUNT = 3;
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
     * Translates {@code b} for the CPU whose RAM is {@code ram} and whose page-holds-code flags are
     * {@code codePages}; null if not translatable. Both are the hidden class's class data, loaded
     * with {@code ldc} as constants, so that the JIT folds the segment's base, size and scope
     * into the generated accesses.
     */
    static CompiledBlock compile(DecodedBlock b, java.lang.foreign.MemorySegment ram, byte[] codePages) {
        long ramSize = ram.byteSize();
        int prefix = translatablePrefix(b);
        if (prefix == 0) {
            return null;
        }
        byte[] bytes = CLASS_FILE.build(ClassDesc.of("org.jvmm.kvm.soft.ppc.Jit"), clb -> {
            clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            clb.withSuperclass(CD_BLOCK);
            clb.withMethodBody("<init>", MethodTypeDesc.of(CD_void), ClassFile.ACC_PUBLIC, cb -> {
                cb.aload(0);
                cb.invokespecial(CD_BLOCK, "<init>", MethodTypeDesc.of(CD_void));
                cb.return_();
            });
            clb.withMethodBody("run", MethodTypeDesc.of(CD_int, CD_CPU, CD_int), ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    cb -> new Emitter(cb, b, ramSize, prefix).emit());
        });
        if (DUMP_DIR != null) {
            dump(b.pc, bytes);
        }
        try {
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(bytes, List.of(ram, codePages), true);
            return (CompiledBlock) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("BlockCompiler: generated code for the block at 0x" + Long.toHexString(b.pc)
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

    /** Emits one block's run method. */
    private static final class Emitter {
        private final CodeBuilder cb;
        private final DecodedBlock b;
        private final long ramSize;
        private final boolean le;
        private final boolean[] used = new boolean[32];
        private final boolean[] dirty = new boolean[32];
        private boolean crDirty, caDirty, lrDirty, ctrDirty;
        private final Label sideExit;
        private final int prefix;

        Emitter(CodeBuilder cb, DecodedBlock b, long ramSize, int prefix) {
            this.cb = cb;
            this.b = b;
            this.ramSize = ramSize;
            this.prefix = prefix;
            this.le = b.littleEndian;
            this.sideExit = cb.newLabel();
        }

        void emit() {
            for (DecodedInsn d : b.insns) {
                boolean va = d.op() == Op.MADDLD || d.op() == Op.MADDHD || d.op() == Op.MADDHDU;
                for (int r : new int[] {d.rt(), d.ra(), d.rb(), va ? d.aux() : 32}) {
                    if (r < 32) {
                        used[r] = true;
                    }
                }
            }
            // An exit inside the block is emitted before the instructions after it, which a later
            // pass of a loop may already have run: such a block writes back every register it
            // names, and CR, XER[CA], LR and CTR, at every exit (unchanged values are written back
            // as they were).
            for (int i = 0; i < prefix - 1; i++) {
                if (b.insns[i].op() == Op.BC) {
                    System.arraycopy(used, 0, dirty, 0, 32);
                    crDirty = caDirty = lrDirty = ctrDirty = true;
                    break;
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
            cb.aload(CPU).getfield(CD_CPU, "so", CD_boolean).istore(SO);
            cb.aload(CPU).getfield(CD_CPU, "ca", CD_boolean).istore(CA);
            cb.aload(CPU).getfield(CD_CPU, "ca32", CD_boolean).istore(CA32);
            cb.aload(CPU).getfield(CD_CPU, "lr", CD_long).lstore(LR);
            cb.aload(CPU).getfield(CD_CPU, "ctr", CD_long).lstore(CTR);
            cb.ldc(classData(0, CD_SEGMENT)).astore(RAM);
            cb.ldc(classData(1, CD_byte.arrayType())).astore(CODE_PAGES);
            cb.loadConstant(0).istore(COUNT);
            cb.loadConstant(0).istore(IDX);
            cb.loadConstant(0).istore(N);
            cb.lconst_0().lstore(EA);
            cb.lconst_0().lstore(VAL);
            cb.lconst_0().lstore(A);
            Label head = cb.newLabel();
            cb.labelBinding(head);
            DecodedInsn[] insns = b.insns;
            int n = insns.length;
            for (int i = 0; i < prefix; i++) {
                DecodedInsn d = insns[i];
                if (i == n - 1 && isBranch(d.op())) {
                    branch(d, head, n);
                } else if (d.op() == Op.BC) {
                    innerBranch(d, head, i + 1);
                } else {
                    insn(d, i);
                }
            }
            if (prefix < n) {
                // The rest of the block starts with an instruction only the interpreter runs.
                cb.loadConstant(prefix).istore(IDX).goto_(sideExit);
            } else if (!isBranch(insns[n - 1].op())) {
                exitTo(b.end(), n);
            }
            // Side exit: IDX holds the instruction the interpreter must run.
            cb.labelBinding(sideExit);
            writeBack();
            cb.aload(CPU).loadConstant(b.pc).iload(IDX).loadConstant(2).ishl().i2l().ladd()
                    .putfield(CD_CPU, "pc", CD_long);
            cb.iload(COUNT).iload(IDX).iadd().ireturn();
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
            cb.iload(CR);
            ld(r);
            cb.iload(SO);
            cb.invokestatic(CD_ALU, "cr0", MethodTypeDesc.of(CD_int, CD_int, CD_long, CD_int));
            cb.istore(CR);
            crDirty = true;
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
                    cb.lload(A).loadConstant(imm).lload(VAL);
                    alu("carry", I_JJJ);
                    cb.istore(CA);
                    cb.lload(A).loadConstant(imm).lload(VAL);
                    alu("carry32", I_JJJ);
                    cb.istore(CA32);
                    caDirty = true;
                    cb.lload(VAL);
                    st(rt);
                    rc(d, rt);
                }
                case Op.CMPI, Op.CMPLI -> {
                    boolean wide = (rt & 1) != 0;
                    cb.iload(CR).loadConstant(rt >>> 2);
                    ld(ra);
                    if (!wide) {
                        if (d.op() == Op.CMPI) {
                            cb.l2i().i2l();
                        } else {
                            cb.loadConstant(0xffffffffL).land();
                        }
                    }
                    cb.loadConstant(imm).iload(SO);
                    alu(d.op() == Op.CMPI ? "compareSigned" : "compareUnsigned",
                            MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_long, CD_long, CD_int));
                    cb.istore(CR);
                    crDirty = true;
                }
                case Op.CMP, Op.CMPL -> {
                    boolean wide = d.aux() != 0;
                    cb.iload(CR).loadConstant(rt);
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
                    cb.iload(SO);
                    alu(d.op() == Op.CMP ? "compareSigned" : "compareUnsigned",
                            MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_long, CD_long, CD_int));
                    cb.istore(CR);
                    crDirty = true;
                }
                case Op.ROTL32_MASK, Op.ROTL32_REG_MASK, Op.ROTL32_INSERT -> {
                    ld(rt);
                    if (d.op() == Op.ROTL32_REG_MASK) {
                        ld(rb);
                        cb.l2i().loadConstant(31).iand();
                    } else {
                        cb.loadConstant(d.aux());
                    }
                    alu("rotl32", J_JI);
                    cb.loadConstant(imm).land();
                    if (d.op() == Op.ROTL32_INSERT) {
                        ld(ra);
                        cb.loadConstant(~imm).land().lor();
                    }
                    st(ra);
                    rc(d, ra);
                }
                case Op.ROTL64_MASK, Op.ROTL64_REG_MASK, Op.ROTL64_INSERT -> {
                    ld(rt);
                    if (d.op() == Op.ROTL64_REG_MASK) {
                        ld(rb);
                        cb.l2i().loadConstant(63).iand();
                    } else {
                        cb.loadConstant(d.aux());
                    }
                    cb.invokestatic(CD_LONG_BOX, "rotateLeft", J_JI);
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
                    ld(rt);
                    ld(rb);
                    alu(switch (d.op()) {
                        case Op.SLW -> "slw";
                        case Op.SRW -> "srw";
                        case Op.SLD -> "sld";
                        default -> "srd";
                    }, J_JJ);
                    st(ra);
                    rc(d, ra);
                }
                case Op.SRAWI, Op.SRAW, Op.SRADI, Op.SRAD -> {
                    boolean word = d.op() == Op.SRAWI || d.op() == Op.SRAW;
                    if (d.op() == Op.SRAWI || d.op() == Op.SRADI) {
                        cb.loadConstant(d.aux());
                    } else {
                        ld(rb);
                        cb.l2i().loadConstant(word ? 63 : 127).iand();
                    }
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
                case Op.MULLW, Op.MULHW, Op.MULHWU, Op.DIVW, Op.DIVWU, Op.DIVD, Op.DIVDU -> {
                    ld(ra);
                    ld(rb);
                    alu(switch (d.op()) {
                        case Op.MULLW -> "mullw";
                        case Op.MULHW -> "mulhw";
                        case Op.MULHWU -> "mulhwu";
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
                    cb.iload(CR).loadConstant(d.aux()).ishl().ifge(other);
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
                    cb.iload(CR).loadConstant(rt).loadConstant(ra).loadConstant(rb).loadConstant(d.aux());
                    alu("crLogic", MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_int, CD_int, CD_int));
                    cb.istore(CR);
                    crDirty = true;
                }
                case Op.MCRF -> {
                    cb.iload(CR).loadConstant(rt).loadConstant(ra);
                    alu("mcrf", MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_int));
                    cb.istore(CR);
                    crDirty = true;
                }
                case Op.MFCR -> {
                    cb.iload(CR).loadConstant(d.aux()).iand().i2l().loadConstant(0xffffffffL).land();
                    st(rt);
                }
                case Op.MTCRF -> {
                    cb.iload(CR).loadConstant(~d.aux()).iand();
                    ld(rt);
                    cb.l2i().loadConstant(d.aux()).iand().ior().istore(CR);
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

        private static boolean isUpdate(int op) {
            return switch (op) {
                case Op.LBZU, Op.LHZU, Op.LHAU, Op.LWZU, Op.LWAU, Op.LDU, Op.STBU, Op.STHU, Op.STWU, Op.STDU -> true;
                default -> false;
            };
        }

        /** EA = (RA|0) + (RB|0) + displacement into EA; side exit unless [EA, EA+size) is in RAM. */
        private void effectiveAddress(DecodedInsn d, int i, int size) {
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
            cb.lload(EA).loadConstant(ramSize - size);
            cb.invokestatic(CD_LONG_BOX, "compareUnsigned", I_JJ);
            cb.ifgt(sideExit);
        }

        private void load(DecodedInsn d, int i, int size, boolean little, boolean algebraic) {
            effectiveAddress(d, i, size);
            cb.aload(RAM);
            switch (size) {
                case 1 -> {
                    cb.getstatic(CD_VALUE_LAYOUT, "JAVA_BYTE", CD_OF_BYTE);
                    cb.lload(EA);
                    cb.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_byte, CD_OF_BYTE, CD_long));
                    cb.loadConstant(0xff).iand().i2l();
                }
                case 2 -> {
                    cb.getstatic(CD_CPU, little ? "H_LE" : "H_BE", CD_OF_SHORT);
                    cb.lload(EA);
                    cb.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_short, CD_OF_SHORT, CD_long));
                    if (!algebraic) {
                        cb.loadConstant(0xffff).iand();
                    }
                    cb.i2l();
                }
                case 4 -> {
                    cb.getstatic(CD_CPU, little ? "W_LE" : "W_BE", CD_OF_INT);
                    cb.lload(EA);
                    cb.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_int, CD_OF_INT, CD_long));
                    cb.i2l();
                    if (!algebraic) {
                        cb.loadConstant(0xffffffffL).land();
                    }
                }
                default -> {
                    cb.getstatic(CD_CPU, little ? "D_LE" : "D_BE", CD_OF_LONG);
                    cb.lload(EA);
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
            cb.aload(CODE_PAGES).lload(EA).loadConstant(12).lushr().l2i().baload().ifne(sideExit);
            if (size > 1) {
                cb.aload(CODE_PAGES).lload(EA).loadConstant((long) size - 1).ladd().loadConstant(12).lushr().l2i()
                        .baload().ifne(sideExit);
            }
            if (isUpdate(d.op())) {
                cb.lload(EA);
                st(d.ra());
            }
            cb.aload(RAM);
            switch (size) {
                case 1 -> {
                    cb.getstatic(CD_VALUE_LAYOUT, "JAVA_BYTE", CD_OF_BYTE);
                    cb.lload(EA).lload(VAL).l2i().i2b();
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_BYTE, CD_long, CD_byte));
                }
                case 2 -> {
                    cb.getstatic(CD_CPU, little ? "H_LE" : "H_BE", CD_OF_SHORT);
                    cb.lload(EA).lload(VAL).l2i().i2s();
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_SHORT, CD_long, CD_short));
                }
                case 4 -> {
                    cb.getstatic(CD_CPU, little ? "W_LE" : "W_BE", CD_OF_INT);
                    cb.lload(EA).lload(VAL).l2i();
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_INT, CD_long, CD_int));
                }
                default -> {
                    cb.getstatic(CD_CPU, little ? "D_LE" : "D_BE", CD_OF_LONG);
                    cb.lload(EA).lload(VAL);
                    cb.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_LONG, CD_long, CD_long));
                }
            }
        }

        /** The block's final branch: conditions, LR/CTR, then loop back, or leave with the target. */
        private void branch(DecodedInsn d, Label head, int n) {
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
                    taken(d.imm(), head, n);
                    return;
                }
                case Op.BC -> {
                    if (lk) {
                        cb.loadConstant(next).lstore(LR);
                        lrDirty = true;
                    }
                    condition(bo, bi, true, notTaken);
                    taken(d.imm(), head, n);
                }
                case Op.BCLR -> {
                    cb.lload(LR).loadConstant(~3L).land().lstore(A);
                    if (lk) {
                        cb.loadConstant(next).lstore(LR);
                        lrDirty = true;
                    }
                    condition(bo, bi, true, notTaken);
                    exitDynamic(n);
                }
                default -> { // BCCTR
                    cb.lload(CTR).loadConstant(~3L).land().lstore(A);
                    if (lk) {
                        cb.loadConstant(next).lstore(LR);
                        lrDirty = true;
                    }
                    condition(bo, bi, false, notTaken);
                    exitDynamic(n);
                }
            }
            cb.labelBinding(notTaken);
            exitTo(next, n);
        }

        /**
         * A conditional branch inside the block, the {@code k}-th instruction: taken, it leaves
         * (or loops back to the start); not taken, the block goes on.
         */
        private void innerBranch(DecodedInsn d, Label head, int k) {
            if (d.aux() != 0) {
                cb.loadConstant(d.pc() + 4).lstore(LR);
                lrDirty = true;
            }
            Label notTaken = cb.newLabel();
            condition(d.rt(), d.ra(), true, notTaken);
            taken(d.imm(), head, k);
            cb.labelBinding(notTaken);
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
                cb.iload(CR).loadConstant(1 << (31 - bi)).iand();
                if ((bo & 8) != 0) {
                    cb.ifeq(notTaken);
                } else {
                    cb.ifne(notTaken);
                }
            }
        }

        /** A taken branch that is the {@code n}-th instruction of the block. */
        private void taken(long target, Label head, int n) {
            if (target != b.pc) {
                exitTo(target, n);
                return;
            }
            // Loop back while another whole pass fits in the limit. Each time the count crosses a
            // multiple of ATTENTION_PERIOD instructions, an opaque read of the CPU's attention flag
            // (no barrier) ends the loop if the external line was raised meanwhile.
            Label stop = cb.newLabel();
            Label again = cb.newLabel();
            // Another pass may run the whole block: it must fit.
            int whole = b.insns.length;
            cb.iinc(COUNT, n);
            cb.iload(COUNT).loadConstant(whole).iadd().iload(LIMIT).if_icmpgt(stop);
            cb.iload(COUNT).loadConstant(PpcCpu.ATTENTION_PERIOD - 1).iand().loadConstant(n).if_icmpge(again);
            cb.aload(CPU).invokestatic(CD_CPU, "attentionOpaque", MethodTypeDesc.of(CD_boolean, CD_CPU)).ifne(stop);
            cb.labelBinding(again);
            cb.goto_(head);
            cb.labelBinding(stop);
            writeBack();
            cb.aload(CPU).loadConstant(b.pc).putfield(CD_CPU, "pc", CD_long);
            cb.iload(COUNT).ireturn();
        }

        private void exitTo(long pc, int n) {
            writeBack();
            cb.aload(CPU).loadConstant(pc).putfield(CD_CPU, "pc", CD_long);
            cb.iload(COUNT).loadConstant(n).iadd().ireturn();
        }

        private void exitDynamic(int n) {
            writeBack();
            cb.aload(CPU).lload(A).putfield(CD_CPU, "pc", CD_long);
            cb.iload(COUNT).loadConstant(n).iadd().ireturn();
        }

        private void writeBack() {
            for (int r = 0; r < 32; r++) {
                if (dirty[r]) {
                    cb.aload(GPRS).loadConstant(r).lload(slot(r)).lastore();
                }
            }
            if (crDirty) {
                cb.aload(CPU).iload(CR).putfield(CD_CPU, "cr", CD_int);
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
