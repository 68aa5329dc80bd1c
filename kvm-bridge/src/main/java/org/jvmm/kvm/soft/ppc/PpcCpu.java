package org.jvmm.kvm.soft.ppc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import org.jvmm.address.GuestAddress;

/**
 * A PPC64 CPU interpreter: Power ISA v3.0, the fixed-point subset that freestanding {@code gcc -O2}
 * code and small assembly stubs use, 64-bit mode, real mode (no MMU translation), big- and
 * little-endian (MSR[LE]). In 32-bit mode (MSR[SF] = 0, as pseries firmware is entered) the
 * interpreter alone runs the code: instruction, load/store and branch-target addresses are
 * truncated to 32 bits and record forms set CR0 from the low word; the compiled tier runs only
 * 64-bit mode, so its code needs no mode check. XER[CA]/OV and the CTR test of branches still
 * use 64 bits in 32-bit mode. There is no FPU, no vector unit: floating-point and vector encodings
 * are illegal instructions (program interrupt), so guests must be built soft-float.
 *
 * <h2>Design for speed</h2>
 * <ul>
 * <li><b>Decode once.</b> Instructions are decoded into {@link DecodedBlock}s: straight runs that
 * end at a branch other than {@code bc} (a conditional relative branch leaves the block only when
 * taken), a context change or a page end, cached by start address and byte order in a
 * direct-mapped {@link BlockCache}. Running a block is a loop over pre-decoded records through one
 * dense {@code switch}; operands are already extracted, immediates extended, rotate masks built,
 * "(RA|0)" mapped to an always-zero register slot (index 32) and D/X load forms unified.</li>
 * <li><b>Invalidation.</b> Every RAM store tests a per-page "holds code" byte; a store into such a
 * page drops exactly the blocks it overlaps (ending the running block after the store if it was
 * one of them). {@code icbi} drops the blocks of its 128-byte line, so code written behind the
 * CPU's back (device DMA) is picked up after the guest's icbi/isync; {@code isync} ends the block
 * (it is context synchronizing) without flushing, since it sits in every lock path. The VMM calls
 * {@link #invalidateCode} after it writes an image.</li>
 * <li><b>RAM fast path.</b> Guest RAM is one {@link MemorySegment} for guest-physical
 * [0, ramSize); an access inside it is one unsigned compare plus a {@code MemorySegment} get or set
 * with a constant unaligned {@link ValueLayout} of the current byte order. Everything else goes to
 * the {@link MmioHandler}.</li>
 * <li><b>Rare events</b> (an MMIO load that exits) leave the block through a preallocated
 * stack-less signal, so the common path carries no status checks.</li>
 * <li><b>Translate hot blocks.</b> A block entered 50 times ({@code jvmm.ppc.translateThreshold})
 * is handed to {@link BlockCompiler}, which emits a JVM class for it (guest registers in JVM
 * locals, a block that branches to itself as a JVM loop, RAM accesses with constant layouts and
 * bounds); the JVM's JIT then compiles that to host code. Anything the translation cannot finish
 * (MMIO, a store into a page holding code) is a side exit: the instruction goes to the interpreter
 * with all earlier ones complete. A translated run is bounded by the budget and the next
 * decrementer event, and by 2^20 instructions so that stop requests are looked at; a block looping
 * on itself also leaves the loop when the external line has just been raised (an opaque read every
 * 4096 instructions). The oracle vectors run through both tiers. {@link #setBlockTranslation} turns
 * translation off.</li>
 * <li><b>Chain blocks.</b> Each block remembers the last two blocks run after it; after a
 * translated block the run loop goes on to the next translated block (from those links, else the
 * cache) without the checks at its top, which translated code cannot invalidate: it changes
 * neither the MSR nor the decrementer, the window it runs in already ends at the budget and the
 * decrementer's expiry, and a stop request or external interrupt raises the attention flag that
 * ends the chain at the next block boundary.</li>
 * <li><b>Regions.</b> A translated block run 2000 times ({@code jvmm.ppc.regionThreshold}; 0 for
 * none) seeds a region: the blocks reachable from it (branch targets, fall-throughs, return sites,
 * the last targets of a return, the targets a branch through CTR has taken), up to 320
 * instructions, translated as one method entered at the seed, in which branches, calls and
 * returns between them stay in JVM code with the registers in locals (see {@link #formRegion} for
 * which calls lead into their callees). Blocks already in
 * a region seed none, long self-loops stay out, a region that leaves too soon gives way to its
 * seed's own translation, and rewriting a member's code drops the region. Regions need C2: C1
 * gives up on methods this large, and a compiler directive keeps it off them (see
 * {@link BlockCompiler.C1Off}).</li>
 * </ul>
 *
 * <h2>Time</h2>
 * The timebase runs at a nominal 512 MHz and is derived from retired instructions: one instruction
 * is one tick, deterministically (the guest sees a 512-MIPS machine whatever the host speed). DEC
 * is the 32-bit decrementer counting down at the timebase; a decrementer exception exists while
 * its top bit is 1 (level, as on POWER8 and later) and is taken when MSR[EE]=1, at the exact
 * instruction where it arises. The external-interrupt line is level too; the VMM sets and clears
 * it ({@link #setExternalInterrupt}); external has priority over decrementer. While the guest is
 * idle (H_CEDE) no instruction retires; when the decrementer ends the idle period the timebase
 * jumps to the tick where DEC turns negative ({@link #advanceTimebase}), so what the guest sees
 * stays a function of the instructions it ran.
 *
 * <h2>Interrupts</h2>
 * System call (0xC00, {@code sc 0}), program (0x700: trap, illegal and privileged instruction with
 * SRR1 bits 46/44/45), decrementer (0x900), external (0x500), alignment (0x600: larx/stcx.
 * misaligned, lmw/stmw in little-endian mode, dcbz outside RAM), FP unavailable (0x800, for
 * floating-point loads/stores). SRR0 gets the faulting instruction (or the next one for sc and
 * asynchronous interrupts), SRR1 the MSR with bits 33:36 and 42:47 replaced by the cause; the new
 * MSR keeps HV and ME, sets SF, takes LE from the interrupt-endianness setting (LPCR[ILE] on a
 * POWER9 LPAR, set here by {@link #setInterruptLittleEndian}) and clears everything else.
 * {@code sc 1} from supervisor state goes to the {@link HypercallHandler}; from problem state it is
 * a privileged-instruction program interrupt, as KVM on POWER answers. {@code rfid} restores MSR
 * from SRR1 and PC from SRR0; MSR[IR] or [DR] set (translation) stops the CPU with
 * {@link PpcExit.IllegalState}, since this model has no MMU.
 *
 * <h2>Threads</h2>
 * One vCPU thread owns the CPU: it calls {@code run} and all register accessors. Only
 * {@link #requestStop()} and {@link #setExternalInterrupt} may be called from other threads
 * (volatile fields, read at block boundaries, at the latest after 2^20 instructions). No locks.
 *
 * <h2>Left out</h2>
 * The FPU, VMX/VSX, the MMU (HPT/radix translation, SLB), hypervisor state (HV=1 interrupts,
 * HDEC, hrfid), the large decrementer, string instructions (lswi/lswx/stswi/stswx), byte and
 * halfword reservations (lbarx/lharx), divwe/divde, prefixed (v3.1) instructions, trace and
 * performance-monitor interrupts, and more than one CPU (reservations are never lost to another
 * CPU's store).
 */
public final class PpcCpu {
    /** The processor version this CPU reports: a POWER9 (0x004E) DD2.2. */
    public static final long PVR_POWER9 = 0x004E1202L;
    /** Timebase frequency a device tree should advertise. */
    public static final long TIMEBASE_HZ = 512_000_000L;
    static final int MAX_BLOCK = 64;
    /** Instructions a translated loop may run before the run loop looks at stop requests again. */
    private static final int MAX_TRANSLATED_RUN = 1 << 20;
    /** Side exits at a translated block's first instruction before it is given back to the interpreter. */
    private static final int MAX_STALLS = 16;
    private static final long CACHE_LINE = 128;

    static final ValueLayout.OfShort H_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort H_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt W_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt W_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong D_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong D_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final long XER_SO = 1L << 31;
    private static final long XER_OV = 1L << 30;
    private static final long XER_CA = 1L << 29;
    private static final long XER_OV32 = 1L << 19;
    private static final long XER_CA32 = 1L << 18;

    /** Leaves a block when an MMIO load must exit: the load is re-executed on resume. */
    private static final class LoadExit extends RuntimeException {
        LoadExit() {
            super(null, null, false, false);
        }
    }

    /** Leaves a block after the current instruction completed (MMIO store exit, code overwritten). */
    private static final class EndAfter extends RuntimeException {
        EndAfter() {
            super(null, null, false, false);
        }
    }

    private static final LoadExit LOAD_EXIT = new LoadExit();
    private static final EndAfter END_AFTER = new EndAfter();

    // Architected state. gpr[32] is the always-zero slot for "(RA|0)".
    final long[] gpr = new long[33];
    int cr;
    boolean so, ov, ca, ov32, ca32;
    private long xerRest; // the other low 32 bits written by mtxer (byte count 57:63 among them)
    long lr, ctr, pc;
    private long msr;
    private long srr0, srr1, dar, dsisr, cfar, dscr, tar, ppr, ctrl, vrsave, lpcr, pir;
    private final long[] sprg = new long[4];
    private final long[] hsprg = new long[2];
    private boolean le;
    private boolean interruptLittleEndian;

    // Time.
    private long retired;
    private long idleTicks;
    private long decValue;
    private long decWrittenAt;

    // Reservation for larx/stcx.
    private long reservation = -1;

    // External inputs.
    private volatile boolean stopRequested;
    private volatile boolean externalLine;
    /**
     * Set when the external line goes up, cleared by the run loop when it looks at interrupts:
     * a translated block looping on itself looks at it every {@link #ATTENTION_PERIOD}
     * instructions and leaves the loop when it is set, so an interrupt raised from another thread
     * is seen within about that many instructions, not after {@code MAX_TRANSLATED_RUN}.
     */
    volatile boolean attention;
    /** Instructions between two looks at {@link #attention} inside a translated loop (a power of 2, above MAX_BLOCK). */
    static final int ATTENTION_PERIOD = 4096;
    private static final java.lang.invoke.VarHandle ATTENTION;
    /**
     * The running translated method's CHECK ceiling (its limit less MAX_BLOCK) and ATTENTION_PERIOD
     * - 1, read from here by its budget slow path only after the attention flag, so that the JIT
     * computes none of that path ahead of it (a constant or a parameter would let it hoist the
     * arithmetic onto the hot path). Set by the method on entry; not final, so never folded.
     */
    int checkCap;
    int checkMask = ATTENTION_PERIOD - 1;

    static {
        try {
            ATTENTION = java.lang.invoke.MethodHandles.lookup().findVarHandle(PpcCpu.class, "attention", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The attention flag read opaquely (not hoisted out of a loop, no barrier): for translated loops. */
    static boolean attentionOpaque(PpcCpu cpu) {
        return (boolean) ATTENTION.getOpaque(cpu);
    }

    // Memory.
    final MemorySegment ram;
    private final long ramSize;
    private final MmioHandler mmio;
    private final HypercallHandler hypercalls;
    private final BlockCache cache;
    final byte[] codePages;
    /**
     * The RAM segment translated code reads and writes: {@link #ram} itself, or, when {@link #ram}
     * is confined to one thread, a global-scope view of the same memory, so that the JIT drops the
     * liveness and owner-thread checks of every generated access. See {@link #translatedRam}.
     */
    final MemorySegment jitRam;
    /**
     * jitRam's address, read by translated code on entry where it reaches RAM through all of
     * memory (BlockCompiler.COUNTED_BASE): a field, not a class-data constant, for the JIT to keep
     * in a register.
     */
    final long jitRamBase;
    private final boolean jitRamUnchecked;
    private DecodedBlock running;
    private boolean translate = true;
    /**
     * Entries through the interpreter that make a block hot enough to translate: 50, or the system
     * property {@code jvmm.ppc.translateThreshold}. Translating costs about a millisecond a block in
     * a JVM that has just started (the translator itself is not compiled yet, and neither is the
     * class it makes), so the {@code vmm} launcher, whose runs are mostly start-up, sets more.
     */
    int translateThreshold = translateThresholdOf(System.getProperty("jvmm.ppc.translateThreshold"));
    /**
     * Translated runs of a block that make it the seed of a region (see {@link #formRegion}); 0:
     * no regions. The default is 2000, or the system property {@code jvmm.ppc.regionThreshold}.
     * Regions are large methods that only C2 compiles well (C1 gives up on them, leaving them to
     * the bytecode interpreter), so a JVM running C1 alone, as the {@code vmm} launcher does, should
     * set the property to 0.
     */
    int regionThreshold = regionThresholdProperty();
    private long translatedBlocks;
    private long regions;
    private long decodedBlocks;
    private long untranslatableBlocks;

    // MMIO exit bookkeeping.
    private PpcExit pendingExit;
    private MmioAccess awaitingLoad;
    private boolean loadCompleted;
    private long completedValue;

    /**
     * A CPU over guest RAM {@code ram} (guest-physical 0 up to its size), in 64-bit supervisor real
     * mode (MSR = SF|ME, plus LE if {@code littleEndian}), PC 0, DEC 0x7fffffff.
     */
    public PpcCpu(MemorySegment ram, MmioHandler mmio, HypercallHandler hypercalls, boolean littleEndian) {
        this.ram = Objects.requireNonNull(ram, "ram");
        this.mmio = Objects.requireNonNull(mmio, "mmio");
        this.hypercalls = Objects.requireNonNull(hypercalls, "hypercalls");
        this.ramSize = ram.byteSize();
        if (ramSize < 4096 || (ramSize & 4095) != 0) {
            throw new IllegalArgumentException("PpcCpu: guest RAM size 0x" + Long.toHexString(ramSize)
                    + " is not a nonzero multiple of 4 KiB");
        }
        this.cache = new BlockCache(ramSize);
        this.codePages = cache.codePages();
        this.jitRam = translatedRam(ram);
        this.jitRamUnchecked = jitRam != ram;
        this.jitRamBase = jitRam.address();
        this.msr = Msr.SF | Msr.ME | (littleEndian ? Msr.LE : 0);
        this.le = littleEndian;
        this.interruptLittleEndian = littleEndian;
        this.decValue = 0x7fffffffL;
    }

    /**
     * The segment translated code uses for {@code ram}. A segment of a confined arena gets a
     * global-scope view of the same memory; any other segment is used as it is (a heap segment or
     * one of the global or an automatic arena has no per-access check worth dropping, and a shared
     * arena may be closed by any thread at any time).
     *
     * <p>Why the view is safe. It owns nothing: the memory is still freed once, by whoever closes
     * the confined arena, exactly as without it. No access through it can follow that close:
     * <ul>
     * <li>only translated code holds the view (the hidden classes' class data), and translated code
     *     runs only from {@link #run}, on whatever thread calls it;</li>
     * <li>{@link #run} makes one checked access to {@code ram} before it enters translated code, so
     *     a closed arena or a thread other than its owner gets the exception the interpreter's
     *     first access would give, and translated code does not run;</li>
     * <li>a confined arena can be closed only by its owner thread, which, from that check until
     *     translated code returns to the run loop (through any number of chained blocks), runs
     *     nothing but generated code and the run loop, never a handler or other caller code.</li>
     * </ul>
     * A handler called by the interpreter may close the arena; the check before the next entry into
     * translated code then throws.
     */
    static MemorySegment translatedRam(MemorySegment ram) {
        if (!ram.isNative() || ram.isReadOnly() || ram.isAccessibleBy(Thread.ofVirtual().unstarted(() -> { }))) {
            return ram; // heap, read-only, or accessible by any thread (not confined): used as it is
        }
        return MemorySegment.ofAddress(ram.address()).reinterpret(ram.byteSize());
    }

    // ---------------------------------------------------------------- register access (vCPU thread)

    public long gpr(int n) {
        Objects.checkIndex(n, 32);
        return gpr[n];
    }

    public void setGpr(int n, long value) {
        Objects.checkIndex(n, 32);
        gpr[n] = value;
    }

    public GuestAddress pc() {
        return new GuestAddress(pc);
    }

    public void setPc(GuestAddress address) {
        if ((address.value() & 3) != 0) {
            throw new IllegalArgumentException("PpcCpu.setPc: " + address + " is not word aligned");
        }
        pc = address.value();
    }

    /** All registers a VMM exchanges with KVM_GET_REGS. */
    public PpcRegisters registers() {
        long[] g = java.util.Arrays.copyOf(gpr, 32);
        return new PpcRegisters(pc, cr, ctr, lr, xer(), msr, srr0, srr1, sprg.clone(), g);
    }

    /** Applies a KVM_SET_REGS snapshot; MSR[LE] takes effect for the next instruction fetch. */
    public void setRegisters(PpcRegisters r) {
        System.arraycopy(r.gpr(), 0, gpr, 0, 32);
        pc = r.pc();
        cr = r.cr();
        ctr = r.ctr();
        lr = r.lr();
        setXer(r.xer());
        setMsr(r.msr());
        srr0 = r.srr0();
        srr1 = r.srr1();
        System.arraycopy(r.sprg(), 0, sprg, 0, 4);
    }

    public int cr() {
        return cr;
    }

    public void setCr(int value) {
        cr = value;
    }

    public long xer() {
        return (so ? XER_SO : 0) | (ov ? XER_OV : 0) | (ca ? XER_CA : 0) | (ov32 ? XER_OV32 : 0)
                | (ca32 ? XER_CA32 : 0) | xerRest;
    }

    public void setXer(long v) {
        so = (v & XER_SO) != 0;
        ov = (v & XER_OV) != 0;
        ca = (v & XER_CA) != 0;
        ov32 = (v & XER_OV32) != 0;
        ca32 = (v & XER_CA32) != 0;
        // Bits 32:63 other than the five flags read back as written, as in QEMU.
        xerRest = v & 0xffffffffL & ~(XER_SO | XER_OV | XER_CA | XER_OV32 | XER_CA32);
    }

    public long lr() {
        return lr;
    }

    public void setLr(long value) {
        lr = value;
    }

    public long ctr() {
        return ctr;
    }

    public void setCtr(long value) {
        ctr = value;
    }

    public long msr() {
        return msr;
    }

    /** Sets MSR as the VMM does (KVM_SET_REGS); MSR[LE] changes the byte order immediately. */
    public void setMsr(long value) {
        msr = value;
        le = (value & Msr.LE) != 0;
    }

    public long srr0() {
        return srr0;
    }

    public long srr1() {
        return srr1;
    }

    public void setSrr0(long v) {
        srr0 = v;
    }

    public void setSrr1(long v) {
        srr1 = v;
    }

    public long sprg(int n) {
        return sprg[Objects.checkIndex(n, 4)];
    }

    public void setSprg(int n, long v) {
        sprg[Objects.checkIndex(n, 4)] = v;
    }

    public void setPir(long v) {
        pir = v;
    }

    /** The byte order in which interrupt handlers run (LPCR[ILE]; H_SET_MODE sets it on pseries). */
    public void setInterruptLittleEndian(boolean little) {
        interruptLittleEndian = little;
    }

    /**
     * Turns translation of hot blocks to JVM bytecode ({@link BlockCompiler}) on (the default) or off
     * (pure interpreter, for comparison). Blocks already translated stay translated.
     */
    public void setBlockTranslation(boolean enabled) {
        translate = enabled;
    }

    /**
     * Sets how many entries through the interpreter make a block hot enough to translate (see
     * {@link #translateThreshold}; 1 translates every block on its first entry, as tests do to run
     * the compiled tier).
     */
    public void setTranslateThreshold(int entries) {
        if (entries < 1) {
            throw new IllegalArgumentException("PpcCpu.setTranslateThreshold: " + entries + " entries is not positive");
        }
        translateThreshold = entries;
    }

    /**
     * The seeds (start addresses) of the regions holding the cached block that starts at
     * {@code pc} in the current byte order, in the order they formed; empty if none (for tests).
     */
    java.util.List<Long> regionSeedsOf(long pc) {
        DecodedBlock b = cache.lookup(pc, le);
        java.util.List<DecodedBlock> seeds = b == null || b.pc != pc ? null : b.regionSeeds;
        return seeds == null ? java.util.List.of() : seeds.stream().map(s -> s.pc).toList();
    }

    /** The cached block that starts at {@code pc} in the current byte order, or null (for tests). */
    DecodedBlock cachedBlock(long pc) {
        DecodedBlock b = cache.lookup(pc, le);
        return b == null || b.pc != pc ? null : b;
    }

    /** Regions formed so far (hot blocks and their neighbours translated as one method). */
    public long regions() {
        return regions;
    }

    /**
     * Sets how many translated runs of a block make it the seed of a region (see
     * {@link #regionThreshold}; 1 forms regions as soon as blocks are translated, as tests do to run
     * region code; 0 forms none).
     */
    public void setRegionThreshold(int runs) {
        if (runs < 0) {
            throw new IllegalArgumentException("PpcCpu.setRegionThreshold: " + runs + " runs is negative");
        }
        regionThreshold = runs;
    }

    private static int regionThresholdProperty() {
        return regionThresholdOf(System.getProperty("jvmm.ppc.regionThreshold"));
    }

    /** The region threshold a value of {@code jvmm.ppc.regionThreshold} asks for, 2000 if null. */
    static int regionThresholdOf(String p) {
        return countOf("jvmm.ppc.regionThreshold", p, 2000, 0, "a number of runs (0 or more; 0 forms no regions)");
    }

    /** The translate threshold a value of {@code jvmm.ppc.translateThreshold} asks for, 50 if null. */
    static int translateThresholdOf(String p) {
        return countOf("jvmm.ppc.translateThreshold", p, 50, 1, "a number of entries (1 or more)");
    }

    /** The count {@code value} of system property {@code name} asks for: {@code unset} if null, else at least {@code min}. */
    private static int countOf(String name, String value, int unset, int min, String what) {
        if (value == null) {
            return unset;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + name + ": '" + value + "' is not " + what);
    }

    /** Blocks translated to JVM bytecode so far. */
    public long translatedBlocks() {
        return translatedBlocks;
    }

    /** Blocks decoded so far (a block decoded again after its code changed counts again). */
    public long decodedBlocks() {
        return decodedBlocks;
    }

    /** Blocks {@link BlockCompiler} could not translate (left to the interpreter). */
    public long untranslatableBlocks() {
        return untranslatableBlocks;
    }

    /** Instructions retired since creation (the timebase, less the ticks skipped while idle). */
    public long retiredInstructions() {
        return retired;
    }

    /** The timebase: retired instructions plus the ticks skipped while idle ({@link #advanceTimebase}). */
    public long timebase() {
        return retired + idleTicks;
    }

    /** The 32-bit decrementer now, sign-extended. */
    public long dec() {
        return (int) (decValue - (timebase() - decWrittenAt));
    }

    public void setDec(long value) {
        decValue = (int) value;
        decWrittenAt = timebase();
    }

    /**
     * Moves the timebase (and so the decrementer) forward by {@code ticks} with no instruction
     * retired: time that passed while the CPU was idle (H_CEDE). vCPU thread.
     */
    public void advanceTimebase(long ticks) {
        if (ticks < 0) {
            throw new IllegalArgumentException("PpcCpu.advanceTimebase: " + ticks + " ticks is negative");
        }
        idleTicks += ticks;
    }

    /** Ticks the timebase was moved forward while idle. */
    public long idleTicks() {
        return idleTicks;
    }

    /** Whether the external interrupt line is up. */
    public boolean externalInterrupt() {
        return externalLine;
    }

    // ---------------------------------------------------------------- other threads

    /** Asks the vCPU to return {@link PpcExit.Stopped} at the next block boundary. Any thread. */
    public void requestStop() {
        stopRequested = true;
        attention = true;
    }

    /** Raises or lowers the external interrupt line (level). Any thread. */
    public void setExternalInterrupt(boolean asserted) {
        externalLine = asserted;
        if (asserted) {
            attention = true;
        }
    }

    // ---------------------------------------------------------------- VMM services

    /** Drops decoded code overlapping [address, address+length) after the VMM wrote guest RAM. */
    public void invalidateCode(GuestAddress address, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("PpcCpu.invalidateCode: length " + length + " at " + address);
        }
        long start = address.value();
        if (Long.compareUnsigned(start, ramSize) >= 0) {
            return;
        }
        cache.invalidate(start, Math.min(length, ramSize - start), null);
    }

    /**
     * Completes the MMIO load the last {@link PpcExit.Mmio} reported: {@code value} is what the
     * device returned (numeric, in the access's byte order). The next {@code run} finishes the
     * instruction with it.
     */
    public void completeMmioLoad(long value) {
        if (awaitingLoad == null) {
            throw new IllegalStateException("PpcCpu.completeMmioLoad(0x" + Long.toHexString(value)
                    + "): no MMIO load is waiting for a value");
        }
        loadCompleted = true;
        completedValue = value & MmioAccess.sizeMask(awaitingLoad.size());
    }

    // ---------------------------------------------------------------- run loop

    /**
     * Runs until an exit, at most {@code maxInstructions} instructions. Interrupts are checked
     * before every block and between instructions where the decrementer fires.
     */
    public PpcExit run(long maxInstructions) {
        if (maxInstructions <= 0) {
            throw new IllegalArgumentException("PpcCpu.run: instruction budget " + maxInstructions + " is not positive");
        }
        if (awaitingLoad != null && !loadCompleted) {
            return new PpcExit.Mmio(awaitingLoad);
        }
        long budgetEnd = retired + maxInstructions;
        DecodedBlock last = null; // the block run last, whose successor links spare the cache lookup
        while (true) {
            // Attention is cleared before the inputs it stands for are read, so that a stop request
            // or an interrupt raised after these reads leaves it set for the chained-block loop.
            if (attention) {
                attention = false;
            }
            if (stopRequested) {
                stopRequested = false;
                return PpcExit.STOPPED;
            }
            long left = budgetEnd - retired;
            if (left <= 0) {
                return PpcExit.BUDGET_EXHAUSTED;
            }
            if ((msr & Msr.EE) != 0 && awaitingLoad == null) {
                if (externalLine) {
                    interrupt(Vector.EXTERNAL, pc, 0);
                } else if (dec() < 0) {
                    interrupt(Vector.DECREMENTER, pc, 0);
                }
            }
            if ((msr & (Msr.IR | Msr.DR)) != 0) {
                return new PpcExit.IllegalState(pc(), "MSR 0x" + Long.toHexString(msr)
                        + " turns on address translation (IR/DR); this CPU runs in real mode only");
            }
            boolean mode64 = (msr & Msr.SF) != 0;
            if (!mode64) {
                pc &= 0xffffffffL; // 32-bit mode: the next instruction address is truncated to 32 bits
            }
            DecodedBlock b = last == null ? null : last.successor(pc, le);
            if (b == null) {
                b = cache.lookup(pc, le);
                if (b == null) {
                    b = decodeBlock(pc);
                    if (b == null) {
                        return new PpcExit.IllegalState(pc(), "instruction fetch at 0x" + Long.toHexString(pc)
                                + " is outside guest RAM [0, 0x" + Long.toHexString(ramSize) + ")");
                    }
                }
                if (last != null && last.valid) {
                    last.link(b);
                }
            }
            last = b;
            long allowed = left;
            if ((msr & Msr.EE) != 0) {
                allowed = Math.min(allowed, dec() + 1);
            }
            int n = b.insns.length;
            // The compiled tier runs 64-bit mode only; 32-bit mode (MSR[SF] = 0) is interpreted.
            CompiledBlock c = mode64 ? b.compiled : null;
            if (c == null && mode64 && translate && !b.untranslatable && ++b.entries >= translateThreshold) {
                c = BlockCompiler.compile(b, jitRam, cache);
                b.compiled = c;
                b.single = c;
                b.untranslatable = c == null;
                if (c != null) {
                    translatedBlocks++;
                } else {
                    untranslatableBlocks++;
                }
            }
            if (c != null) {
                c = seedRegion(b, c);
            }
            if (c != null && allowed >= n) {
                if (jitRamUnchecked) {
                    // The one checked access before translated code runs on the unchecked view
                    // (see translatedRam): throws if the arena is closed or this is not its owner.
                    ram.get(ValueLayout.JAVA_BYTE, 0);
                }
                int done = c.run(this, (int) Math.min(allowed, MAX_TRANSLATED_RUN));
                account(b, c, done);
                if (done > 0) {
                    retired += done;
                    // Chained blocks: while the next block (a linked successor, else from the
                    // cache) is translated and fits in what is left, run it straight from here.
                    // Translated code changes neither the MSR nor the decrementer, so the checks
                    // above still hold except for the budget (allowed already stops at the
                    // decrementer's expiry) and the inputs from other threads, which all raise
                    // attention.
                    long stopAt = retired - done + allowed;
                    while (!attention) {
                        DecodedBlock s = b.successor(pc, le);
                        if (s == null) {
                            s = cache.lookup(pc, le); // an indirect branch's other targets
                            if (s == null) {
                                break;
                            }
                            b.link(s);
                        }
                        if ((c = s.compiled) == null) {
                            break;
                        }
                        c = seedRegion(s, c);
                        long rest = stopAt - retired;
                        if (rest < s.insns.length) {
                            break;
                        }
                        done = c.run(this, (int) Math.min(rest, MAX_TRANSLATED_RUN));
                        account(s, c, done);
                        if (done == 0) {
                            break; // a side exit at its first instruction: the loop above handles it
                        }
                        retired += done;
                        b = s;
                    }
                    last = b;
                    continue;
                }
                // A side exit at the first instruction: the interpreter takes it. A block that keeps
                // doing that (a store into its own page first thing) is left to the interpreter.
                if (++b.stalls > MAX_STALLS) {
                    b.compiled = null;
                    b.untranslatable = true;
                }
            }
            PpcExit e = exec(b, (int) Math.min(allowed, n));
            if (e != null) {
                return e;
            }
        }
    }

    /** Runs of a region after which it must have paid off, and the instructions a run must average. */
    private static final int REGION_TRIAL = 10_000;
    private static final int REGION_PAYOFF = 64;

    /**
     * Counts a translated run of {@code b} that retired {@code done} instructions with code
     * {@code c}: passes of its own translation (see {@link DecodedBlock#loopsLong}), or runs of the
     * region it seeds. A region whose runs average fewer than REGION_PAYOFF instructions over its
     * first REGION_TRIAL runs leaves too soon to pay for loading and storing the registers it
     * holds: the seed goes back to its own translation, for good.
     */
    private static void account(DecodedBlock b, CompiledBlock c, int done) {
        if (c == b.single) {
            b.singleRetired += done;
            b.singleRuns++;
        } else if (b.regionRuns < REGION_TRIAL) {
            b.regionRetired += done;
            if (++b.regionRuns == REGION_TRIAL && b.regionRetired < (long) REGION_PAYOFF * REGION_TRIAL) {
                b.compiled = b.single;
            }
        }
    }

    /**
     * The code to run for the translated block {@code b} whose code is {@code c}: a region formed
     * around it now if this run makes it hot enough (see {@link #formRegion}), else {@code c}.
     */
    private CompiledBlock seedRegion(DecodedBlock b, CompiledBlock c) {
        if (c != b.single && b.rangeGrowths != cache.rangeGrowths()) {
            // A region made before the code range last grew tests stores against the old range
            // (BlockCompiler bakes it in): it goes, and the seed may form a new one.
            b.regionGone();
            c = b.single;
        }
        if (regionThreshold > 0 && !b.regionTried && b.regionSeeds == null && ++b.hot >= regionThreshold && translate
                && !b.loopsLong()) {
            return formRegion(b);
        }
        return c;
    }

    /** Instructions a region holds at most (its method must stay under the JIT's size limit). */
    private static final int MAX_REGION_INSNS = 320;

    /**
     * Forms a region around the hot translated block {@code seed}: the translated and decoded blocks
     * reachable from it (see {@link #regionMembers}) become one method ({@link
     * BlockCompiler#compileRegion}) in which branches between them, calls and returns included,
     * stay in translated code with the registers in JVM locals. A member that calls a looping
     * function whose entry the region holds too ({@link #nestingCall}) is left out and the members
     * found again. Tried once per seed; a region too large for the JIT is tried again with half
     * the instructions. Returns the seed's code now.
     */
    private CompiledBlock formRegion(DecodedBlock seed) {
        seed.regionTried = true;
        for (int max = MAX_REGION_INSNS; max >= MAX_BLOCK; max /= 2) {
            java.util.Set<DecodedBlock> left = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            DecodedBlock[] all = regionMembers(seed, max, left);
            for (DecodedBlock nesting; (nesting = nestingCall(all, seed)) != null; ) {
                left.add(nesting);
                all = regionMembers(seed, max, left);
            }
            if (all.length < 2) {
                break;
            }
            // A member that is the tail of another (it starts inside that one's translated
            // instructions and ends where it ends) is run as that one's tail: the method holds its
            // instructions once.
            java.util.ArrayList<DecodedBlock> emitted = new java.util.ArrayList<>();
            long[] entries = new long[all.length];
            for (int i = 0; i < all.length; i++) {
                DecodedBlock m = all[i];
                entries[i] = m.pc;
                boolean tail = false;
                for (DecodedBlock c : all) {
                    if (c != m && c.pc < m.pc && m.pc < c.pc + 4L * BlockCompiler.translatablePrefix(c)
                            && c.end() == m.end()) {
                        tail = true;
                        break;
                    }
                }
                if (!tail) {
                    emitted.add(m);
                }
            }
            CompiledBlock r = BlockCompiler.compileRegion(emitted.toArray(new DecodedBlock[0]), entries, jitRam, cache);
            if (r != null) {
                seed.compiled = r;
                seed.rangeGrowths = cache.rangeGrowths();
                seed.regionMembers = all;
                for (DecodedBlock m : all) {
                    // A member seeds a region of its own only if the run loop keeps entering it
                    // from outside this one.
                    m.hot = 0;
                    if (m.regionSeeds == null) {
                        m.regionSeeds = new java.util.ArrayList<>(2);
                    }
                    if (!m.regionSeeds.contains(seed)) {
                        m.regionSeeds.add(seed);
                    }
                }
                regions++;
                break;
            }
        }
        return seed.compiled;
    }

    /**
     * The blocks reachable from {@code seed}, nearest first, up to {@code maxInsns} instructions,
     * none of {@code left}: through its conditional and direct branches, its fall-through, the
     * return site of a call, the last two targets of a return (bclr), and the targets a branch
     * through CTR has taken so far ({@link DecodedBlock#targets}). A call (bl, bcctrl) leads into
     * its callee only if the callee does not loop or the call is inside it ({@link
     * #loopingCallee}): a callee's loop runs fastest in a method of its own, not inside its caller
     * with every caller register live through it. A block joins if it is still cached, in the
     * seed's byte order, below 2^32, translatable (at least its first instruction) and not a long
     * loop ({@link DecodedBlock#loopsLong}).
     */
    private DecodedBlock[] regionMembers(DecodedBlock seed, int maxInsns, java.util.Set<DecodedBlock> left) {
        java.util.ArrayList<DecodedBlock> out = new java.util.ArrayList<>();
        java.util.ArrayDeque<DecodedBlock> work = new java.util.ArrayDeque<>();
        java.util.Set<DecodedBlock> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        work.add(seed);
        int total = 0;
        while (!work.isEmpty()) {
            DecodedBlock m = work.poll();
            if (!seen.add(m)) {
                continue;
            }
            int prefix = BlockCompiler.translatablePrefix(m);
            if (!m.valid || m.littleEndian != seed.littleEndian || m.untranslatable || (m != seed && m.loopsLong())
                    || left.contains(m) || (m.pc >>> 32) != 0 || prefix == 0 || total + m.insns.length > maxInsns) {
                continue;
            }
            out.add(m);
            total += m.insns.length;
            boolean le = m.littleEndian;
            DecodedInsn last = m.insns[m.insns.length - 1];
            long callee = callTarget(last);
            boolean indirect = BlockCompiler.directTargets(m, true, pc -> {
                if (pc != callee || !loopingCallee(m, pc, le)) {
                    regionCandidate(work, pc, le);
                }
            });
            if (indirect && last.op() == Op.BCLR) {
                if (m.next0 != null) {
                    work.add(m.next0);
                }
                if (m.next1 != null) {
                    work.add(m.next1);
                }
            } else if (indirect) {
                for (int i = 0; i < m.targetCount; i++) {
                    if (last.aux() == 0 || !loopingCallee(m, m.targets[i], le)) {
                        regionCandidate(work, m.targets[i], le);
                    }
                }
            }
        }
        return out.toArray(new DecodedBlock[0]);
    }

    /**
     * A member of {@code all}, not the seed, whose call (bl, bcctrl to a target it has taken) goes
     * to a function that loops ({@link #loopingCallee}) and whose entry the region holds as well
     * (the seed's own function, reached back through a return): the callee's loop would run inside
     * the caller's in one method. Null if there is none.
     */
    private DecodedBlock nestingCall(DecodedBlock[] all, DecodedBlock seed) {
        for (DecodedBlock m : all) {
            DecodedInsn last = m.insns[m.insns.length - 1];
            if (m == seed || last.aux() == 0) {
                continue;
            }
            if (callTarget(last) != -1 && nests(all, m, last.imm())) {
                return m;
            }
            if (last.op() == Op.BCCTR) {
                for (int i = 0; i < m.targetCount; i++) {
                    if (nests(all, m, m.targets[i])) {
                        return m;
                    }
                }
            }
        }
        return null;
    }

    /** The target of {@code last} if it is a direct call (bl, bla), else -1. */
    private static long callTarget(DecodedInsn last) {
        return last.op() == Op.B && last.aux() != 0 ? last.imm() : -1;
    }

    /**
     * Whether the call from {@code site} to {@code entry} would nest a callee's loop in its
     * caller's ({@link #nestingCall}): the region holds the entry, the callee loops, and not as a
     * memcpy or memset does ({@link #movesInBulk}), whose loop runs as one move, not as a loop of
     * the method (pinned side by side with and without the exception: memops 1.06x, qsort 1.01x).
     */
    private boolean nests(DecodedBlock[] all, DecodedBlock site, long entry) {
        if (BlockCompiler.locate(all, entry) < 0) {
            return false;
        }
        java.util.List<DecodedBlock> callee = calleeBlocks(site, entry, site.littleEndian);
        return callee != null && loops(callee, entry) && !movesInBulk(callee);
    }

    /** Blocks of a callee {@link #loopingCallee} looks at, at most. */
    private static final int CALLEE_SCAN = 64;

    /**
     * True if the function at {@code entry}, called from the block {@code site}, loops and
     * {@code site} is not inside it (not a recursive call). It loops if a branch in one of its
     * cached blocks ({@link #calleeBlocks}) goes back to an address at or after {@code entry}, or
     * one of them loops long.
     */
    private boolean loopingCallee(DecodedBlock site, long entry, boolean le) {
        java.util.List<DecodedBlock> blocks = calleeBlocks(site, entry, le);
        return blocks != null && loops(blocks, entry);
    }

    /** True if one of a function's blocks, {@code blocks} ({@link #calleeBlocks}), loops (see {@link #loopingCallee}). */
    private static boolean loops(java.util.List<DecodedBlock> blocks, long entry) {
        for (DecodedBlock b : blocks) {
            if (b.loopsLong()) {
                return true;
            }
            for (DecodedInsn d : b.insns) {
                boolean jump = d.op() == Op.BC || (d.op() == Op.B && d.aux() == 0);
                if (jump && Long.compareUnsigned(d.imm(), entry) >= 0 && Long.compareUnsigned(d.imm(), d.pc()) <= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * True if one of a function's blocks, {@code blocks} ({@link #calleeBlocks}), holds a counted
     * loop that runs as a bulk move (BlockCompiler.Bulk): a memcpy or memset, whose main loop is
     * one copy or fill, its other loops a few bytes at either end.
     */
    private static boolean movesInBulk(java.util.List<DecodedBlock> blocks) {
        for (DecodedBlock b : blocks) {
            BlockCompiler.CountedLoop loop = BlockCompiler.countedLoop(b, BlockCompiler.translatablePrefix(b));
            if (loop != null && loop.bulk() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The cached blocks of the function at {@code entry}, called from the block {@code site}:
     * those reachable from {@code entry} without following calls, at most CALLEE_SCAN, nearest
     * first; null if {@code site} is among them (a recursive call) or none is cached at {@code
     * entry}.
     */
    private java.util.List<DecodedBlock> calleeBlocks(DecodedBlock site, long entry, boolean le) {
        DecodedBlock first = cache.lookup(entry, le);
        if (first == null) {
            return null;
        }
        java.util.ArrayDeque<DecodedBlock> work = new java.util.ArrayDeque<>();
        java.util.Set<DecodedBlock> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.List<DecodedBlock> out = new java.util.ArrayList<>();
        work.add(first);
        while (!work.isEmpty() && seen.size() < CALLEE_SCAN) {
            DecodedBlock b = work.poll();
            if (!seen.add(b)) {
                continue;
            }
            if (b == site) {
                return null;
            }
            out.add(b);
            long call = callTarget(b.insns[b.insns.length - 1]);
            BlockCompiler.directTargets(b, true, pc -> {
                if (pc != call) {
                    DecodedBlock t = cache.lookup(pc, le);
                    if (t != null) {
                        work.add(t);
                    }
                }
            });
        }
        return out;
    }

    private void regionCandidate(java.util.ArrayDeque<DecodedBlock> work, long pc, boolean le) {
        DecodedBlock t = cache.lookup(pc, le);
        if (t != null) {
            work.add(t);
        }
    }

    private DecodedBlock decodeBlock(long start) {
        if ((start & 3) != 0 || Long.compareUnsigned(start, ramSize - 4) > 0) {
            return null;
        }
        long pageEnd = (start | 4095) + 1;
        int n = (int) Math.min(MAX_BLOCK, (pageEnd - start) >>> 2);
        DecodedInsn[] buf = new DecodedInsn[n];
        int count = 0;
        for (long a = start; count < n; a += 4) {
            int w = le ? ram.get(W_LE, a) : ram.get(W_BE, a);
            DecodedInsn d = PpcDecoder.decode(w, a);
            buf[count++] = d;
            if (endsBlock(d.op())) {
                break;
            }
        }
        DecodedInsn[] insns = count == n ? buf : java.util.Arrays.copyOf(buf, count);
        DecodedBlock b = new DecodedBlock(start, le, insns);
        cache.insert(b);
        decodedBlocks++;
        return b;
    }

    static boolean endsBlock(int op) {
        return switch (op) {
            case Op.B, Op.BCLR, Op.BCCTR, Op.SC, Op.RFID, Op.ISYNC, Op.MTMSR, Op.MTMSRD, Op.MTSPR,
                 Op.ILLEGAL, Op.WAIT, Op.ICBI -> true;
            default -> false;
        };
    }

    // ---------------------------------------------------------------- interrupts

    private void interrupt(long vector, long returnAddress, long srr1Bits) {
        srr0 = returnAddress;
        srr1 = (msr & ~Vector.SRR1_SPECIFIC) | srr1Bits;
        msr = (msr & (Msr.HV | Msr.ME)) | Msr.SF | (interruptLittleEndian ? Msr.LE : 0);
        le = interruptLittleEndian;
        pc = vector;
        reservation = -1;
    }

    /**
     * A program interrupt caused by {@code d}. The instruction counts against the budget and the
     * timebase (as if retired), so that a guest looping on a faulting instruction still ends the run.
     */
    private void program(DecodedInsn d, long cause) {
        retired++;
        interrupt(Vector.PROGRAM, d.pc(), cause);
    }

    private void alignment(DecodedInsn d, long ea) {
        retired++;
        dar = ea;
        dsisr = 0;
        interrupt(Vector.ALIGNMENT, d.pc(), 0);
    }

    private boolean problemState() {
        return (msr & Msr.PR) != 0;
    }

    // ---------------------------------------------------------------- the interpreter

    /**
     * Runs {@code limit} instructions of {@code b} (fewer if one leaves the block). Returns an exit
     * or null to continue with the next block at {@link #pc}.
     */
    private PpcExit exec(DecodedBlock b, int limit) {
        final long[] r = gpr;
        final DecodedInsn[] insns = b.insns;
        running = b;
        int from = 0;
        int i = 0;
        try {
            for (; i < limit; i++) {
                final DecodedInsn d = insns[i];
                switch (d.op()) {
                    case Op.ADDI -> r[d.rt()] = r[d.ra()] + d.imm();
                    case Op.ORI -> r[d.ra()] = r[d.rt()] | d.imm();
                    case Op.XORI -> r[d.ra()] = r[d.rt()] ^ d.imm();
                    case Op.ANDI -> cr0(r[d.ra()] = r[d.rt()] & d.imm());
                    case Op.ADDIC -> {
                        long a = r[d.ra()];
                        long v = a + d.imm();
                        carry(a, d.imm(), v);
                        r[d.rt()] = v;
                        if (d.rc()) {
                            cr0(v);
                        }
                    }
                    case Op.SUBFIC -> {
                        long a = ~r[d.ra()];
                        long v = a + d.imm() + 1;
                        carry(a, d.imm(), v);
                        r[d.rt()] = v;
                    }
                    case Op.MULLI -> r[d.rt()] = r[d.ra()] * d.imm();
                    case Op.CMPI -> compareSigned(d.rt() >>> 2, (d.rt() & 1) != 0 ? r[d.ra()] : (int) r[d.ra()], d.imm());
                    case Op.CMPLI -> compareUnsigned(d.rt() >>> 2,
                            (d.rt() & 1) != 0 ? r[d.ra()] : r[d.ra()] & 0xffffffffL, d.imm());
                    case Op.CMP -> {
                        long a = r[d.ra()];
                        long c = r[d.rb()];
                        if (d.aux() == 0) {
                            a = (int) a;
                            c = (int) c;
                        }
                        compareSigned(d.rt(), a, c);
                    }
                    case Op.CMPL -> {
                        long a = r[d.ra()];
                        long c = r[d.rb()];
                        if (d.aux() == 0) {
                            a &= 0xffffffffL;
                            c &= 0xffffffffL;
                        }
                        compareUnsigned(d.rt(), a, c);
                    }
                    case Op.ROTL32_MASK -> rc(d, r[d.ra()] = rotl32(r[d.rt()], d.aux()) & d.imm());
                    case Op.ROTL32_REG_MASK -> rc(d, r[d.ra()] = rotl32(r[d.rt()], (int) r[d.rb()] & 31) & d.imm());
                    case Op.ROTL32_INSERT -> rc(d, r[d.ra()] = (rotl32(r[d.rt()], d.aux()) & d.imm()) | (r[d.ra()] & ~d.imm()));
                    case Op.ROTL64_MASK -> rc(d, r[d.ra()] = Long.rotateLeft(r[d.rt()], d.aux()) & d.imm());
                    case Op.ROTL64_REG_MASK -> rc(d, r[d.ra()] = Long.rotateLeft(r[d.rt()], (int) r[d.rb()] & 63) & d.imm());
                    case Op.ROTL64_INSERT -> rc(d, r[d.ra()] = (Long.rotateLeft(r[d.rt()], d.aux()) & d.imm()) | (r[d.ra()] & ~d.imm()));
                    case Op.AND -> rc(d, r[d.ra()] = r[d.rt()] & r[d.rb()]);
                    case Op.ANDC -> rc(d, r[d.ra()] = r[d.rt()] & ~r[d.rb()]);
                    case Op.OR -> rc(d, r[d.ra()] = r[d.rt()] | r[d.rb()]);
                    case Op.ORC -> rc(d, r[d.ra()] = r[d.rt()] | ~r[d.rb()]);
                    case Op.XOR -> rc(d, r[d.ra()] = r[d.rt()] ^ r[d.rb()]);
                    case Op.NAND -> rc(d, r[d.ra()] = ~(r[d.rt()] & r[d.rb()]));
                    case Op.NOR -> rc(d, r[d.ra()] = ~(r[d.rt()] | r[d.rb()]));
                    case Op.EQV -> rc(d, r[d.ra()] = ~(r[d.rt()] ^ r[d.rb()]));
                    case Op.EXTSB -> rc(d, r[d.ra()] = (byte) r[d.rt()]);
                    case Op.EXTSH -> rc(d, r[d.ra()] = (short) r[d.rt()]);
                    case Op.EXTSW -> rc(d, r[d.ra()] = (int) r[d.rt()]);
                    case Op.CNTLZW -> rc(d, r[d.ra()] = Integer.numberOfLeadingZeros((int) r[d.rt()]));
                    case Op.CNTLZD -> rc(d, r[d.ra()] = Long.numberOfLeadingZeros(r[d.rt()]));
                    case Op.CNTTZW -> rc(d, r[d.ra()] = Integer.numberOfTrailingZeros((int) r[d.rt()]));
                    case Op.CNTTZD -> rc(d, r[d.ra()] = Long.numberOfTrailingZeros(r[d.rt()]));
                    case Op.SLW -> {
                        long n = r[d.rb()] & 63;
                        rc(d, r[d.ra()] = n > 31 ? 0 : (r[d.rt()] << n) & 0xffffffffL);
                    }
                    case Op.SRW -> {
                        long n = r[d.rb()] & 63;
                        rc(d, r[d.ra()] = n > 31 ? 0 : (r[d.rt()] & 0xffffffffL) >>> n);
                    }
                    case Op.SLD -> {
                        long n = r[d.rb()] & 127;
                        rc(d, r[d.ra()] = n > 63 ? 0 : r[d.rt()] << n);
                    }
                    case Op.SRD -> {
                        long n = r[d.rb()] & 127;
                        rc(d, r[d.ra()] = n > 63 ? 0 : r[d.rt()] >>> n);
                    }
                    case Op.SRAWI -> rc(d, r[d.ra()] = sraw(r[d.rt()], d.aux()));
                    case Op.SRAW -> rc(d, r[d.ra()] = sraw(r[d.rt()], (int) (r[d.rb()] & 63)));
                    case Op.SRADI -> rc(d, r[d.ra()] = srad(r[d.rt()], d.aux()));
                    case Op.SRAD -> rc(d, r[d.ra()] = srad(r[d.rt()], (int) (r[d.rb()] & 127)));
                    case Op.ADD -> {
                        long a = r[d.ra()];
                        long c = r[d.rb()];
                        long v = a + c;
                        if (d.oe()) {
                            overflow(a, c, v);
                        }
                        r[d.rt()] = v;
                        if (d.rc()) {
                            cr0(v);
                        }
                    }
                    case Op.SUBF -> {
                        long a = ~r[d.ra()];
                        long c = r[d.rb()];
                        long v = a + c + 1;
                        if (d.oe()) {
                            overflow(a, c, v);
                        }
                        r[d.rt()] = v;
                        if (d.rc()) {
                            cr0(v);
                        }
                    }
                    case Op.NEG -> {
                        long a = ~r[d.ra()];
                        long v = a + 1;
                        if (d.oe()) {
                            overflow(a, 0, v);
                        }
                        r[d.rt()] = v;
                        if (d.rc()) {
                            cr0(v);
                        }
                    }
                    case Op.ADDC, Op.SUBFC, Op.ADDE, Op.SUBFE, Op.ADDME, Op.SUBFME, Op.ADDZE, Op.SUBFZE -> addCarrying(d);
                    case Op.MULLW -> {
                        long v = (long) (int) r[d.ra()] * (int) r[d.rb()];
                        if (d.oe()) {
                            setOv(v != (int) v);
                        }
                        r[d.rt()] = v;
                        if (d.rc()) {
                            cr0(v);
                        }
                    }
                    case Op.MULLD -> {
                        long a = r[d.ra()];
                        long c = r[d.rb()];
                        long v = a * c;
                        if (d.oe()) {
                            setOv(Math.multiplyHigh(a, c) != (v >> 63));
                        }
                        r[d.rt()] = v;
                        if (d.rc()) {
                            cr0(v);
                        }
                    }
                    case Op.MULHD, Op.MULHDU, Op.MULHW, Op.MULHWU, Op.DIVW, Op.DIVWU, Op.DIVD, Op.DIVDU,
                         Op.MODSW, Op.MODUW, Op.MODSD, Op.MODUD -> mulDiv(d);
                    case Op.POPCNTB, Op.POPCNTW, Op.POPCNTD, Op.CMPB, Op.EXTSWSLI, Op.MCRXRX, Op.SETB -> misc(d);
                    case Op.ISEL -> r[d.rt()] = ((cr << d.aux()) < 0) ? r[d.ra()] : r[d.rb()];
                    case Op.MADDLD -> r[d.rt()] = r[d.ra()] * r[d.rb()] + r[d.aux()];
                    case Op.MADDHD -> r[d.rt()] = Alu.maddhd(r[d.ra()], r[d.rb()], r[d.aux()]);
                    case Op.MADDHDU -> r[d.rt()] = Alu.maddhdu(r[d.ra()], r[d.rb()], r[d.aux()]);
                    case Op.CRLOGIC -> {
                        int a = (cr >>> (31 - d.ra())) & 1;
                        int c = (cr >>> (31 - d.rb())) & 1;
                        int bit = (d.aux() >>> (2 * a + c)) & 1;
                        int m = 1 << (31 - d.rt());
                        cr = bit != 0 ? cr | m : cr & ~m;
                    }
                    case Op.MCRF -> {
                        int f = (cr >>> (28 - 4 * d.ra())) & 0xf;
                        int sh = 28 - 4 * d.rt();
                        cr = (cr & ~(0xf << sh)) | (f << sh);
                    }
                    case Op.MFCR -> r[d.rt()] = (cr & d.aux()) & 0xffffffffL;
                    case Op.MTCRF -> cr = (cr & ~d.aux()) | ((int) r[d.rt()] & d.aux());

                    // Loads. EA = (RA|0) + (RB|0) + displacement; rb is the zero slot for D forms.
                    case Op.LBZ -> r[d.rt()] = load1(r[d.ra()] + r[d.rb()] + d.imm());
                    case Op.LHZ -> r[d.rt()] = load2(r[d.ra()] + r[d.rb()] + d.imm(), le);
                    case Op.LHA -> r[d.rt()] = (short) load2(r[d.ra()] + r[d.rb()] + d.imm(), le);
                    case Op.LWZ -> r[d.rt()] = load4(r[d.ra()] + r[d.rb()] + d.imm(), le) & 0xffffffffL;
                    case Op.LWA -> r[d.rt()] = load4(r[d.ra()] + r[d.rb()] + d.imm(), le);
                    case Op.LD -> r[d.rt()] = load8(r[d.ra()] + r[d.rb()] + d.imm(), le);
                    case Op.LBZU -> {
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.rt()] = load1(ea);
                        r[d.ra()] = ea;
                    }
                    case Op.LHZU -> {
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.rt()] = load2(ea, le);
                        r[d.ra()] = ea;
                    }
                    case Op.LHAU -> {
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.rt()] = (short) load2(ea, le);
                        r[d.ra()] = ea;
                    }
                    case Op.LWZU -> {
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.rt()] = load4(ea, le) & 0xffffffffL;
                        r[d.ra()] = ea;
                    }
                    case Op.LWAU -> {
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.rt()] = load4(ea, le);
                        r[d.ra()] = ea;
                    }
                    case Op.LDU -> {
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.rt()] = load8(ea, le);
                        r[d.ra()] = ea;
                    }
                    case Op.LHBRX -> r[d.rt()] = load2(r[d.ra()] + r[d.rb()], !le);
                    case Op.LWBRX -> r[d.rt()] = load4(r[d.ra()] + r[d.rb()], !le) & 0xffffffffL;
                    case Op.LDBRX -> r[d.rt()] = load8(r[d.ra()] + r[d.rb()], !le);

                    // Stores: RA is updated before the access so that an MMIO store exit, which ends
                    // the block after the instruction, leaves the instruction complete.
                    case Op.STB -> store1(r[d.ra()] + r[d.rb()] + d.imm(), r[d.rt()]);
                    case Op.STH -> store2(r[d.ra()] + r[d.rb()] + d.imm(), r[d.rt()], le);
                    case Op.STW -> store4(r[d.ra()] + r[d.rb()] + d.imm(), r[d.rt()], le);
                    case Op.STD -> store8(r[d.ra()] + r[d.rb()] + d.imm(), r[d.rt()], le);
                    case Op.STBU -> {
                        long v = r[d.rt()];
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.ra()] = ea;
                        store1(ea, v);
                    }
                    case Op.STHU -> {
                        long v = r[d.rt()];
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.ra()] = ea;
                        store2(ea, v, le);
                    }
                    case Op.STWU -> {
                        long v = r[d.rt()];
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.ra()] = ea;
                        store4(ea, v, le);
                    }
                    case Op.STDU -> {
                        long v = r[d.rt()];
                        long ea = r[d.ra()] + r[d.rb()] + d.imm();
                        r[d.ra()] = ea;
                        store8(ea, v, le);
                    }
                    case Op.STHBRX -> store2(r[d.ra()] + r[d.rb()], r[d.rt()], !le);
                    case Op.STWBRX -> store4(r[d.ra()] + r[d.rb()], r[d.rt()], !le);
                    case Op.STDBRX -> store8(r[d.ra()] + r[d.rb()], r[d.rt()], !le);

                    case Op.NOP -> {
                    }
                    case Op.MFLR -> r[d.rt()] = lr;
                    case Op.MTLR -> lr = r[d.rt()];
                    case Op.MFCTR -> r[d.rt()] = ctr;
                    case Op.MTCTR -> ctr = r[d.rt()];

                    // Branches end the block.
                    case Op.B -> {
                        if (d.aux() != 0) {
                            lr = d.pc() + 4;
                        }
                        pc = d.imm();
                        retired += i + 1 - from;
                        return null;
                    }
                    case Op.BC -> {
                        // A conditional branch leaves the block when taken; not taken, the block
                        // goes on with the next instruction (or ends after it, at pc + 4).
                        boolean taken = branchCondition(d.rt(), d.ra());
                        if (d.aux() != 0) {
                            lr = d.pc() + 4;
                        }
                        if (taken) {
                            pc = d.imm();
                            retired += i + 1 - from;
                            return null;
                        }
                    }
                    case Op.BCLR -> {
                        boolean taken = branchCondition(d.rt(), d.ra());
                        long target = lr & ~3L;
                        if (d.aux() != 0) {
                            lr = d.pc() + 4;
                        }
                        pc = taken ? target : d.pc() + 4;
                        retired += i + 1 - from;
                        return null;
                    }
                    case Op.BCCTR -> {
                        boolean taken = (d.rt() & 0x10) != 0 || (((cr >>> (31 - d.ra())) & 1) != 0) == ((d.rt() & 8) != 0);
                        if (d.aux() != 0) {
                            lr = d.pc() + 4;
                        }
                        pc = taken ? ctr & ~3L : d.pc() + 4;
                        retired += i + 1 - from;
                        return null;
                    }
                    default -> {
                        retired += i - from;
                        from = i;
                        PpcExit e = system(d);
                        // system() sets pc when it leaves the block; count the instruction if it retired.
                        if (e != CONTINUE) {
                            return e;
                        }
                    }
                }
            }
            retired += i - from;
            pc = b.pc + 4L * i;
            return null;
        } catch (LoadExit x) {
            retired += i - from;
            pc = insns[i].pc();
            PpcExit e = pendingExit;
            pendingExit = null;
            return e;
        } catch (EndAfter x) {
            retired += i + 1 - from;
            pc = insns[i].pc() + 4;
            PpcExit e = pendingExit;
            pendingExit = null;
            return e;
        } finally {
            running = null;
        }
    }

    /** Returned by {@link #system} when the instruction completed and the block goes on. */
    private static final PpcExit CONTINUE = new PpcExit.Stopped();

    /**
     * The rarely executed instructions: traps, SPR and MSR access, sc, rfid, synchronisation,
     * reservations, multiple-word and cache-block operations, illegal encodings. On entry nothing of
     * this instruction has been counted. Returns {@link #CONTINUE} to go on in the block, or sets pc
     * and returns null (next block) or an exit.
     */
    private PpcExit system(DecodedInsn d) {
        final long[] r = gpr;
        final long next = d.pc() + 4;
        switch (d.op()) {
            case Op.TW -> {
                if (trapCondition(d.rt(), (int) r[d.ra()], (int) r[d.rb()])) {
                    program(d, Vector.SRR1_TRAP);
                    return null;
                }
            }
            case Op.TD -> {
                if (trapCondition(d.rt(), r[d.ra()], r[d.rb()])) {
                    program(d, Vector.SRR1_TRAP);
                    return null;
                }
            }
            case Op.TWI -> {
                if (trapCondition(d.rt(), (int) r[d.ra()], (int) d.imm())) {
                    program(d, Vector.SRR1_TRAP);
                    return null;
                }
            }
            case Op.TDI -> {
                if (trapCondition(d.rt(), r[d.ra()], d.imm())) {
                    program(d, Vector.SRR1_TRAP);
                    return null;
                }
            }
            case Op.SC -> {
                retired++;
                if (d.aux() == 1) {
                    if (problemState()) {
                        retired--;
                        program(d, Vector.SRR1_PRIVILEGED);
                        return null;
                    }
                    pc = next;
                    return hypercalls.hypercall(this) == HypercallHandler.Outcome.HANDLED
                            ? null : new PpcExit.Hypercall(r[3]);
                }
                interrupt(Vector.SYSTEM_CALL, next, 0);
                return null;
            }
            case Op.RFID -> {
                if (problemState()) {
                    program(d, Vector.SRR1_PRIVILEGED);
                    return null;
                }
                retired++;
                // MSR bits 33:36 and 42:47 are not restored; HV is never raised by rfid.
                setMsrChecked((srr1 & ~Vector.SRR1_SPECIFIC & ~Msr.HV) | (msr & Msr.HV));
                pc = srr0 & ~3L;
                reservation = -1;
                return null;
            }
            case Op.ISYNC -> {
                retired++;
                pc = next;
                return null;
            }
            case Op.ICBI -> {
                long line = (r[d.ra()] + r[d.rb()]) & ~(CACHE_LINE - 1);
                retired++;
                if (Long.compareUnsigned(line, ramSize) < 0) {
                    cache.invalidate(line, CACHE_LINE, null);
                }
                pc = next;
                return null;
            }
            case Op.WAIT -> {
                if (d.aux() == 1 && problemState()) {
                    program(d, Vector.SRR1_PRIVILEGED);
                    return null;
                }
                retired++;
                pc = next;
                return new PpcExit.Halted(new GuestAddress(next));
            }
            case Op.MFMSR -> {
                if (problemState()) {
                    program(d, Vector.SRR1_PRIVILEGED);
                    return null;
                }
                r[d.rt()] = msr;
            }
            case Op.MTMSR, Op.MTMSRD -> {
                if (problemState()) {
                    program(d, Vector.SRR1_PRIVILEGED);
                    return null;
                }
                long v = r[d.rt()];
                if (d.aux() == 1) {
                    msr = (msr & ~(Msr.EE | Msr.RI)) | (v & (Msr.EE | Msr.RI));
                } else if (d.op() == Op.MTMSR) {
                    setMsrChecked((msr & 0xffffffff00000000L) | (v & 0xffffffffL));
                } else {
                    setMsrChecked(v);
                }
                retired++;
                pc = next;
                return null;
            }
            case Op.MFSPR -> {
                int spr = d.aux();
                if (Spr.isPrivileged(spr) && problemState()) {
                    program(d, Vector.SRR1_PRIVILEGED);
                    return null;
                }
                long v;
                switch (spr) {
                    case Spr.XER -> v = xer();
                    case Spr.LR -> v = lr;
                    case Spr.CTR -> v = ctr;
                    case Spr.DSCR, Spr.DSCR_USER -> v = dscr;
                    case Spr.DSISR -> v = dsisr;
                    case Spr.DAR -> v = dar;
                    case Spr.DEC -> v = dec();
                    case Spr.SRR0 -> v = srr0;
                    case Spr.SRR1 -> v = srr1;
                    case Spr.CFAR -> v = cfar;
                    case Spr.CTRL_READ -> v = ctrl;
                    case Spr.VRSAVE -> v = vrsave;
                    case Spr.SPRG3_USER -> v = sprg[3];
                    case Spr.TB -> v = timebase();
                    case Spr.TBU -> v = timebase() >>> 32;
                    case Spr.SPRG0, Spr.SPRG1, Spr.SPRG2, Spr.SPRG3 -> v = sprg[spr - Spr.SPRG0];
                    case Spr.PVR -> v = PVR_POWER9;
                    case Spr.HSPRG0, Spr.HSPRG1 -> v = hsprg[spr - Spr.HSPRG0];
                    case Spr.LPCR -> v = lpcr;
                    case Spr.TAR -> v = tar;
                    case Spr.PPR -> v = ppr;
                    case Spr.PIR -> v = pir;
                    default -> {
                        program(d, Vector.SRR1_ILLEGAL);
                        return null;
                    }
                }
                r[d.rt()] = v;
            }
            case Op.MTSPR -> {
                int spr = d.aux();
                if (Spr.isPrivileged(spr) && problemState()) {
                    program(d, Vector.SRR1_PRIVILEGED);
                    return null;
                }
                long v = r[d.rt()];
                switch (spr) {
                    case Spr.XER -> setXer(v);
                    case Spr.LR -> lr = v;
                    case Spr.CTR -> ctr = v;
                    case Spr.DSCR, Spr.DSCR_USER -> dscr = v;
                    case Spr.DSISR -> dsisr = v & 0xffffffffL;
                    case Spr.DAR -> dar = v;
                    case Spr.DEC -> setDec(v);
                    case Spr.SRR0 -> srr0 = v;
                    case Spr.SRR1 -> srr1 = v;
                    case Spr.CFAR -> cfar = v;
                    case Spr.CTRL_WRITE -> ctrl = v & 1;
                    case Spr.VRSAVE -> vrsave = v & 0xffffffffL;
                    case Spr.SPRG0, Spr.SPRG1, Spr.SPRG2, Spr.SPRG3 -> sprg[spr - Spr.SPRG0] = v;
                    case Spr.HSPRG0, Spr.HSPRG1 -> hsprg[spr - Spr.HSPRG0] = v;
                    case Spr.TAR -> tar = v & ~3L;
                    case Spr.PPR -> ppr = v;
                    case Spr.PVR, Spr.PIR, Spr.LPCR -> {
                        // Read-only (PVR, PIR) or hypervisor-owned (LPCR): a no-op for a supervisor.
                    }
                    default -> {
                        program(d, Vector.SRR1_ILLEGAL);
                        return null;
                    }
                }
                // mtspr ends the block: DEC may have moved the next decrementer event.
                retired++;
                pc = next;
                return null;
            }
            case Op.PRIV_NOP -> {
                if (problemState()) {
                    program(d, Vector.SRR1_PRIVILEGED);
                    return null;
                }
            }
            case Op.DCBZ -> {
                long ea = (r[d.ra()] + r[d.rb()]) & ~(CACHE_LINE - 1);
                if (Long.compareUnsigned(ea, ramSize - CACHE_LINE) > 0) {
                    alignment(d, r[d.ra()] + r[d.rb()]);
                    return null;
                }
                ram.asSlice(ea, CACHE_LINE).fill((byte) 0);
                if (codePages[(int) (ea >>> BlockCache.PAGE_SHIFT)] != 0) {
                    retired++;
                    boolean hit = cache.invalidate(ea, CACHE_LINE, running);
                    if (hit) {
                        pc = next;
                        return null;
                    }
                    retired--;
                }
            }
            case Op.LWARX, Op.LDARX -> {
                int size = d.op() == Op.LWARX ? 4 : 8;
                long ea = r[d.ra()] + r[d.rb()];
                if ((ea & (size - 1)) != 0) {
                    alignment(d, ea);
                    return null;
                }
                long v = size == 4 ? load4(ea, le) & 0xffffffffL : load8(ea, le);
                r[d.rt()] = v;
                reservation = ea;
            }
            case Op.STWCX, Op.STDCX -> {
                int size = d.op() == Op.STWCX ? 4 : 8;
                long ea = r[d.ra()] + r[d.rb()];
                if ((ea & (size - 1)) != 0) {
                    alignment(d, ea);
                    return null;
                }
                boolean ok = reservation == ea;
                reservation = -1;
                cr = (cr & 0x0fffffff) | (ok ? 0x20000000 : 0) | (so ? 0x10000000 : 0);
                if (ok) {
                    if (size == 4) {
                        store4(ea, r[d.rt()], le);
                    } else {
                        store8(ea, r[d.rt()], le);
                    }
                }
            }
            case Op.LMW, Op.STMW -> {
                long ea = r[d.ra()] + d.imm();
                if (le || (ea & 3) != 0) {
                    alignment(d, ea);
                    return null;
                }
                if (d.op() == Op.LMW) {
                    for (int n = d.rt(); n < 32; n++, ea += 4) {
                        r[n] = load4(ea, false) & 0xffffffffL;
                    }
                } else {
                    // A word that overwrites the running block ends the block only after the last
                    // word: the instruction completes whole. An MMIO store exit still ends it there.
                    boolean codeOverwritten = false;
                    for (int n = d.rt(); n < 32; n++, ea += 4) {
                        try {
                            store4(ea, r[n], false);
                        } catch (EndAfter x) {
                            if (pendingExit != null) {
                                throw x;
                            }
                            codeOverwritten = true;
                        }
                    }
                    if (codeOverwritten) {
                        throw END_AFTER;
                    }
                }
            }
            case Op.ILLEGAL -> {
                int opcd = d.word() >>> 26;
                boolean fp = opcd >= 48 && opcd <= 55 || opcd == 59 || opcd == 63;
                if (fp && (msr & Msr.FP) == 0) {
                    retired++;
                    interrupt(Vector.FP_UNAVAILABLE, d.pc(), 0);
                } else {
                    program(d, Vector.SRR1_ILLEGAL);
                }
                return null;
            }
            default -> throw new IllegalStateException("PpcCpu: decoded op " + d.op() + " at 0x"
                    + Long.toHexString(d.pc()) + " has no implementation (word 0x" + Integer.toHexString(d.word()) + ")");
        }
        return CONTINUE;
    }

    /** MSR write by mtmsrd/rfid: LE takes effect for the next instruction fetch. */
    private void setMsrChecked(long v) {
        msr = v;
        le = (v & Msr.LE) != 0;
    }

    // ---------------------------------------------------------------- arithmetic helpers

    private void addCarrying(DecodedInsn d) {
        long a = gpr[d.ra()];
        long c;
        long cin;
        switch (d.op()) {
            case Op.ADDC -> {
                c = gpr[d.rb()];
                cin = 0;
            }
            case Op.SUBFC -> {
                a = ~a;
                c = gpr[d.rb()];
                cin = 1;
            }
            case Op.ADDE -> {
                c = gpr[d.rb()];
                cin = ca ? 1 : 0;
            }
            case Op.SUBFE -> {
                a = ~a;
                c = gpr[d.rb()];
                cin = ca ? 1 : 0;
            }
            case Op.ADDME -> {
                c = -1;
                cin = ca ? 1 : 0;
            }
            case Op.SUBFME -> {
                a = ~a;
                c = -1;
                cin = ca ? 1 : 0;
            }
            case Op.ADDZE -> {
                c = 0;
                cin = ca ? 1 : 0;
            }
            default -> { // SUBFZE
                a = ~a;
                c = 0;
                cin = ca ? 1 : 0;
            }
        }
        long v = a + c + cin;
        carry(a, c, v);
        if (d.oe()) {
            overflow(a, c, v);
        }
        gpr[d.rt()] = v;
        if (d.rc()) {
            cr0(v);
        }
    }

    private void mulDiv(DecodedInsn d) {
        long a = gpr[d.ra()];
        long c = gpr[d.rb()];
        long v;
        boolean bad = false;
        switch (d.op()) {
            case Op.MULHD -> v = Math.multiplyHigh(a, c);
            case Op.MULHDU -> v = Math.unsignedMultiplyHigh(a, c);
            case Op.MULHW -> v = ((long) (int) a * (int) c) >>> 32; // high word; RT[0:31] undefined, 0 as in QEMU
            case Op.MULHWU -> v = ((a & 0xffffffffL) * (c & 0xffffffffL)) >>> 32;
            // Invalid divisions (by zero, most-negative by -1) have an undefined quotient; like
            // QEMU (target/ppc/translate.c), this CPU divides by 1 instead and sets OV if asked.
            case Op.DIVW -> {
                int x = (int) a;
                int y = (int) c;
                bad = y == 0 || (x == Integer.MIN_VALUE && y == -1);
                v = (x / (bad ? 1 : y)) & 0xffffffffL;
            }
            case Op.DIVWU -> {
                int y = (int) c;
                bad = y == 0;
                v = Integer.divideUnsigned((int) a, bad ? 1 : y) & 0xffffffffL;
            }
            case Op.DIVD -> {
                bad = c == 0 || (a == Long.MIN_VALUE && c == -1);
                v = a / (bad ? 1 : c);
            }
            case Op.DIVDU -> {
                bad = c == 0;
                v = Long.divideUnsigned(a, bad ? 1 : c);
            }
            case Op.MODSW -> {
                int x = (int) a;
                int y = (int) c;
                v = (y == 0 || (x == Integer.MIN_VALUE && y == -1)) ? 0 : x % y;
            }
            case Op.MODUW -> {
                int y = (int) c;
                v = y == 0 ? 0 : Integer.remainderUnsigned((int) a, y) & 0xffffffffL;
            }
            case Op.MODSD -> v = (c == 0 || (a == Long.MIN_VALUE && c == -1)) ? 0 : a % c;
            default -> v = c == 0 ? 0 : Long.remainderUnsigned(a, c); // MODUD
        }
        if (d.oe()) {
            setOv(bad);
        }
        gpr[d.rt()] = v;
        if (d.rc()) {
            cr0(v);
        }
    }

    private void misc(DecodedInsn d) {
        long s = gpr[d.rt()];
        switch (d.op()) {
            case Op.POPCNTB -> {
                long v = 0;
                for (int k = 0; k < 64; k += 8) {
                    v |= (long) Long.bitCount((s >>> k) & 0xff) << k;
                }
                gpr[d.ra()] = v;
            }
            case Op.POPCNTW -> gpr[d.ra()] = Long.bitCount(s & 0xffffffffL) | ((long) Long.bitCount(s >>> 32) << 32);
            case Op.POPCNTD -> gpr[d.ra()] = Long.bitCount(s);
            case Op.CMPB -> {
                long x = s ^ gpr[d.rb()];
                long v = 0;
                for (int k = 0; k < 64; k += 8) {
                    if (((x >>> k) & 0xff) == 0) {
                        v |= 0xffL << k;
                    }
                }
                gpr[d.ra()] = v;
            }
            case Op.EXTSWSLI -> rc(d, gpr[d.ra()] = ((long) (int) s) << d.aux());
            case Op.MCRXRX -> {
                int f = (ov ? 8 : 0) | (ov32 ? 4 : 0) | (ca ? 2 : 0) | (ca32 ? 1 : 0);
                int sh = 28 - 4 * d.rt();
                cr = (cr & ~(0xf << sh)) | (f << sh);
            }
            default -> { // SETB
                int f = (cr >>> (28 - 4 * d.ra())) & 0xf;
                gpr[d.rt()] = (f & 8) != 0 ? -1 : (f & 4) != 0 ? 1 : 0;
            }
        }
    }

    private static long rotl32(long x, int n) {
        long w = x & 0xffffffffL;
        return Long.rotateLeft(w | (w << 32), n);
    }

    private long sraw(long x, int n) {
        int s = (int) x;
        long v;
        boolean out;
        if (n < 32) {
            v = s >> n;
            out = s < 0 && n > 0 && (s & ((1 << n) - 1)) != 0;
        } else {
            v = s >> 31;
            out = s < 0;
        }
        ca = out;
        ca32 = out;
        return v;
    }

    private long srad(long s, int n) {
        long v;
        boolean out;
        if (n < 64) {
            v = s >> n;
            out = s < 0 && n > 0 && (s & ((1L << n) - 1)) != 0;
        } else {
            v = s >> 63;
            out = s < 0;
        }
        ca = out;
        ca32 = out;
        return v;
    }

    /** CA and CA32 of v = a + b (+ carry in), from the operands and the sum. */
    private void carry(long a, long b, long v) {
        long c = (a & b) | ((a | b) & ~v);
        ca = c < 0;
        ca32 = (c & 0x80000000L) != 0;
    }

    /** OV, OV32 (and sticky SO) of v = a + b (+ carry in). */
    private void overflow(long a, long b, long v) {
        long o = (a ^ v) & (b ^ v);
        ov = o < 0;
        ov32 = (o & 0x80000000L) != 0;
        so |= ov;
    }

    private void setOv(boolean value) {
        ov = value;
        ov32 = value;
        so |= value;
    }

    private void rc(DecodedInsn d, long v) {
        if (d.rc()) {
            cr0(v);
        }
    }

    private void cr0(long v) {
        if ((msr & Msr.SF) == 0) {
            v = (int) v; // 32-bit mode: CR0 compares the low 32 bits as a signed word
        }
        int f = v < 0 ? 8 : v > 0 ? 4 : 2;
        cr = (cr & 0x0fffffff) | (f << 28) | (so ? 0x10000000 : 0);
    }

    private void compareSigned(int bf, long a, long b) {
        setCrField(bf, a < b ? 8 : a > b ? 4 : 2);
    }

    private void compareUnsigned(int bf, long a, long b) {
        int c = Long.compareUnsigned(a, b);
        setCrField(bf, c < 0 ? 8 : c > 0 ? 4 : 2);
    }

    private void setCrField(int bf, int f) {
        int sh = 28 - 4 * bf;
        cr = (cr & ~(0xf << sh)) | ((f | (so ? 1 : 0)) << sh);
    }

    private boolean branchCondition(int bo, int bi) {
        if ((bo & 4) == 0) {
            ctr--;
        }
        boolean ctrOk = (bo & 4) != 0 || ((ctr != 0) != ((bo & 2) != 0));
        boolean condOk = (bo & 0x10) != 0 || (((cr >>> (31 - bi)) & 1) != 0) == ((bo & 8) != 0);
        return ctrOk && condOk;
    }

    private static boolean trapCondition(int to, long a, long b) {
        return ((to & 0x10) != 0 && a < b)
                || ((to & 0x08) != 0 && a > b)
                || ((to & 0x04) != 0 && a == b)
                || ((to & 0x02) != 0 && Long.compareUnsigned(a, b) < 0)
                || ((to & 0x01) != 0 && Long.compareUnsigned(a, b) > 0);
    }

    // ---------------------------------------------------------------- memory

    /** The effective address as the mode has it: truncated to 32 bits when MSR[SF] is 0. */
    private long effective(long ea) {
        return (msr & Msr.SF) != 0 ? ea : ea & 0xffffffffL;
    }

    private long load1(long ea) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 1) <= 0) {
            return ram.get(ValueLayout.JAVA_BYTE, ea) & 0xffL;
        }
        return mmioLoad(ea, 1, le);
    }

    private long load2(long ea, boolean little) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 2) <= 0) {
            return (little ? ram.get(H_LE, ea) : ram.get(H_BE, ea)) & 0xffffL;
        }
        return mmioLoad(ea, 2, little);
    }

    private long load4(long ea, boolean little) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 4) <= 0) {
            return little ? ram.get(W_LE, ea) : ram.get(W_BE, ea);
        }
        return (int) mmioLoad(ea, 4, little);
    }

    private long load8(long ea, boolean little) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 8) <= 0) {
            return little ? ram.get(D_LE, ea) : ram.get(D_BE, ea);
        }
        return mmioLoad(ea, 8, little);
    }

    private void store1(long ea, long v) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 1) <= 0) {
            ram.set(ValueLayout.JAVA_BYTE, ea, (byte) v);
            if (codePages[(int) (ea >>> BlockCache.PAGE_SHIFT)] != 0) {
                codeWritten(ea, 1);
            }
        } else {
            mmioStore(ea, 1, le, v);
        }
    }

    private void store2(long ea, long v, boolean little) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 2) <= 0) {
            if (little) {
                ram.set(H_LE, ea, (short) v);
            } else {
                ram.set(H_BE, ea, (short) v);
            }
            if (codePages[(int) (ea >>> BlockCache.PAGE_SHIFT)] != 0
                    || codePages[(int) ((ea + 1) >>> BlockCache.PAGE_SHIFT)] != 0) {
                codeWritten(ea, 2);
            }
        } else {
            mmioStore(ea, 2, little, v);
        }
    }

    private void store4(long ea, long v, boolean little) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 4) <= 0) {
            if (little) {
                ram.set(W_LE, ea, (int) v);
            } else {
                ram.set(W_BE, ea, (int) v);
            }
            if (codePages[(int) (ea >>> BlockCache.PAGE_SHIFT)] != 0
                    || codePages[(int) ((ea + 3) >>> BlockCache.PAGE_SHIFT)] != 0) {
                codeWritten(ea, 4);
            }
        } else {
            mmioStore(ea, 4, little, v);
        }
    }

    private void store8(long ea, long v, boolean little) {
        ea = effective(ea);
        if (Long.compareUnsigned(ea, ramSize - 8) <= 0) {
            if (little) {
                ram.set(D_LE, ea, v);
            } else {
                ram.set(D_BE, ea, v);
            }
            if (codePages[(int) (ea >>> BlockCache.PAGE_SHIFT)] != 0
                    || codePages[(int) ((ea + 7) >>> BlockCache.PAGE_SHIFT)] != 0) {
                codeWritten(ea, 8);
            }
        } else {
            mmioStore(ea, 8, little, v);
        }
    }

    private void codeWritten(long ea, int size) {
        if (cache.invalidate(ea, size, running)) {
            throw END_AFTER;
        }
    }

    private long mmioLoad(long ea, int size, boolean little) {
        ByteOrder order = little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        if (awaitingLoad != null) {
            MmioAccess a = awaitingLoad;
            if (loadCompleted && a.address().value() == ea && a.size() == size && a.order() == order) {
                awaitingLoad = null;
                loadCompleted = false;
                return completedValue;
            }
        }
        MmioAccess a = new MmioAccess(new GuestAddress(ea), size, order, false, 0);
        MmioReply reply = mmio.load(a);
        if (reply instanceof MmioReply.Completed c) {
            return c.value() & MmioAccess.sizeMask(size);
        }
        awaitingLoad = a;
        loadCompleted = false;
        pendingExit = new PpcExit.Mmio(a);
        throw LOAD_EXIT;
    }

    private void mmioStore(long ea, int size, boolean little, long v) {
        ByteOrder order = little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        MmioAccess a = new MmioAccess(new GuestAddress(ea), size, order, true, v);
        if (mmio.store(a) instanceof MmioReply.ExitToVmm) {
            pendingExit = new PpcExit.Mmio(a);
            throw END_AFTER;
        }
    }
}
