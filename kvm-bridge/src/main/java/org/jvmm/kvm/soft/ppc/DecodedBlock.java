package org.jvmm.kvm.soft.ppc;

/**
 * A straight run of decoded instructions starting at {@code pc}, fetched in one byte order, lying
 * within one 4 KiB page and ending at the first instruction that may change the flow or the
 * context (a branch other than {@code bc}, sc, rfid, isync, MSR or DEC write, illegal instruction)
 * or at the page end or after 64 instructions. A conditional relative branch ({@code bc}) inside
 * the block leaves it when taken and goes on with the next instruction when not.
 * {@code valid} goes false when the cache drops the block (a store into its bytes, icbi, isync).
 */
final class DecodedBlock {
    final long pc;
    final boolean littleEndian;
    final DecodedInsn[] insns;
    boolean valid = true;
    /** Times entered by the interpreter; at the CPU's threshold the block is translated. */
    int entries;
    /**
     * The code the run loop runs for this block: its own translation, or the region it is a member
     * of; null before translation, or if the block is not translatable.
     */
    CompiledBlock compiled;
    /** The block's own translation (kept while it is a region member, for when the region goes). */
    CompiledBlock single;
    /** For a region's seed: the code range's growth count the region was made at (BlockCache.rangeGrowths). */
    int rangeGrowths;
    /**
     * The seeds of the regions whose methods hold this block's code (a region runs only from its
     * seed, see {@link PpcCpu}), or null.
     */
    java.util.ArrayList<DecodedBlock> regionSeeds;
    /** For a region's seed: the region's members (the seed among them), or null. */
    DecodedBlock[] regionMembers;
    /** Translated runs counted towards forming a region around this block. */
    int hot;
    /** Runs of {@link #single} from the run loop and the instructions they retired. */
    int singleRuns;
    long singleRetired;
    /** Runs of the region this block seeds and the instructions they retired (see PpcCpu.account). */
    int regionRuns;
    long regionRetired;
    /** A region was formed around this block, or could not be: not tried again. */
    boolean regionTried;
    boolean untranslatable;
    /** Translated runs that side-exited at the first instruction (no progress). */
    int stalls;
    /**
     * The last two blocks the run loop went on to after this one (taken and fall-through of a
     * conditional branch, or the last targets of an indirect one), so that it skips the cache
     * lookup when the next PC is one of them. A hint: the run loop checks the PC, byte order and
     * {@code valid} before using one. Cleared when this block is dropped, so a dropped block holds
     * no others alive.
     */
    DecodedBlock next0;
    DecodedBlock next1;

    DecodedBlock(long pc, boolean littleEndian, DecodedInsn[] insns) {
        this.pc = pc;
        this.littleEndian = littleEndian;
        this.insns = insns;
    }

    /** The linked successor starting at {@code pc} in byte order {@code le}, or null. */
    DecodedBlock successor(long pc, boolean le) {
        DecodedBlock s = next0;
        if (s != null && s.pc == pc && s.littleEndian == le && s.valid) {
            return s;
        }
        s = next1;
        if (s != null && s.pc == pc && s.littleEndian == le && s.valid) {
            return s;
        }
        return null;
    }

    /** Indirect-branch targets kept at most (see {@link #targets}). */
    static final int MAX_TARGETS = 16;
    /**
     * For a block ending in a branch through CTR, the distinct addresses the run loop went on to
     * after it, in the order first seen, up to MAX_TARGETS (a jump table's cases, a call table's
     * functions): regions take these as the branch's likely targets. Null for other blocks and
     * until the run loop first links a successor; addresses, not blocks, so that nothing is held
     * alive.
     */
    long[] targets;
    int targetCount;

    /** Records {@code s} as the most recent successor. */
    void link(DecodedBlock s) {
        if (next0 != s) {
            next1 = next0;
            next0 = s;
            // Only where this block's own code ran (not a region seeded here, which leaves from
            // wherever its members do).
            if (compiled == single && insns[insns.length - 1].op() == Op.BCCTR) {
                noteTarget(s.pc);
            }
        }
    }

    private void noteTarget(long pc) {
        if (targets == null) {
            targets = new long[MAX_TARGETS];
        }
        for (int i = 0; i < targetCount; i++) {
            if (targets[i] == pc) {
                return;
            }
        }
        if (targetCount < MAX_TARGETS) {
            targets[targetCount++] = pc;
        }
    }

    /**
     * Marks the block dropped and forgets its successors. Every region holding its code goes too:
     * the region's seed runs its own translation again (the region's copy of this block is stale).
     */
    void drop() {
        valid = false;
        next0 = null;
        next1 = null;
        java.util.ArrayList<DecodedBlock> seeds = regionSeeds;
        if (seeds != null) {
            regionSeeds = null;
            for (DecodedBlock seed : seeds) {
                seed.regionGone();
            }
        }
    }

    /**
     * Ends the region this block seeds: it runs its own translation again, and it and the members
     * may seed regions anew once hot again (their runs counted from zero).
     */
    void regionGone() {
        compiled = single;
        hot = 0;
        regionTried = false;
        regionRuns = 0;
        regionRetired = 0;
        DecodedBlock[] members = regionMembers;
        regionMembers = null;
        if (members != null) {
            for (DecodedBlock m : members) {
                java.util.ArrayList<DecodedBlock> seeds = m.regionSeeds;
                if (seeds != null && seeds.remove(this) && seeds.isEmpty()) {
                    m.regionSeeds = null;
                }
            }
        }
    }

    /**
     * True if this block's own translation runs as a long loop: more than eight passes a run on
     * average, over at least 64 runs. Such a loop is fastest in its own small method, with few
     * live registers for the JIT to allocate, so regions leave it out and do not grow from it.
     */
    boolean loopsLong() {
        return singleRuns >= 64 && singleRetired > 8L * insns.length * singleRuns;
    }

    long end() {
        return pc + 4L * insns.length;
    }

    boolean overlaps(long start, long length) {
        return start < end() && pc < start + length;
    }
}
