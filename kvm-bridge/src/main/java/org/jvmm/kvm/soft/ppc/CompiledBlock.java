package org.jvmm.kvm.soft.ppc;

/**
 * A region of {@link DecodedBlock}s translated to JVM bytecode by {@link BlockCompiler}: one
 * generated hidden class per region, entered at its first block, bound to one CPU (its RAM size and
 * byte order are constants in the code).
 */
abstract class CompiledBlock {
    /** The blocks translated into this code, the entry block first; set once after creation. */
    DecodedBlock[] members;

    protected CompiledBlock() {
    }

    boolean contains(DecodedBlock b) {
        for (DecodedBlock m : members) {
            if (m == b) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs the region from its first block, going from block to block inside it, for at most
     * {@code limit} instructions (whole blocks; {@code limit} is at least the first block's length). Leaves
     * every register it changed in {@code cpu}, sets {@code cpu.pc} to the next instruction to run,
     * and returns the number of instructions retired. An instruction it cannot finish (an access
     * outside RAM, a store into a page holding code) is left for the interpreter: PC points at it.
     */
    abstract int run(PpcCpu cpu, int limit);
}
