package org.jvmm.kvm.soft.ppc;

/**
 * A {@link DecodedBlock} translated to JVM bytecode by {@link BlockCompiler}: one generated hidden
 * class per block, bound to one CPU (its RAM size and byte order are constants in the code).
 */
abstract class CompiledBlock {
    protected CompiledBlock() {
    }

    /**
     * Runs the block, repeating it while it branches back to its own start, for at most
     * {@code limit} instructions (whole passes; {@code limit} is at least the block length). Leaves
     * every register it changed in {@code cpu}, sets {@code cpu.pc} to the next instruction to run,
     * and returns the number of instructions retired. An instruction it cannot finish (an access
     * outside RAM, a store into a page holding code) is left for the interpreter: PC points at it.
     */
    abstract int run(PpcCpu cpu, int limit);
}
