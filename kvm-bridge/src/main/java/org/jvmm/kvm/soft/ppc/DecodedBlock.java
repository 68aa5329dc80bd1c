package org.jvmm.kvm.soft.ppc;

/**
 * A straight run of decoded instructions starting at {@code pc}, fetched in one byte order, lying
 * within one 4 KiB page and ending at the first instruction that may change the flow or the
 * context (branch, sc, rfid, isync, MSR or DEC write, illegal instruction) or at the page end.
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

    DecodedBlock(long pc, boolean littleEndian, DecodedInsn[] insns) {
        this.pc = pc;
        this.littleEndian = littleEndian;
        this.insns = insns;
    }

    long end() {
        return pc + 4L * insns.length;
    }

    boolean overlaps(long start, long length) {
        return start < end() && pc < start + length;
    }
}
