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
    /** The translation, once made; null before, or if the block is not translatable. */
    CompiledBlock compiled;
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

    /** Records {@code s} as the most recent successor. */
    void link(DecodedBlock s) {
        if (next0 != s) {
            next1 = next0;
            next0 = s;
        }
    }

    /** Marks the block dropped and forgets its successors. */
    void drop() {
        valid = false;
        next0 = null;
        next1 = null;
    }

    long end() {
        return pc + 4L * insns.length;
    }

    boolean overlaps(long start, long length) {
        return start < end() && pc < start + length;
    }
}
