package org.jvmm.kvm.soft.ppc;

/**
 * One instruction decoded once: the operation and its operands, ready for the interpreter.
 *
 * <p>{@code rt}, {@code ra}, {@code rb} are the encoding's register fields (bits 6-10, 11-15,
 * 16-20); which one is written depends on the operation (for logical and rotate forms {@code rt}
 * is RS and {@code ra} the target). Where the ISA reads "(RA|0)" the decoder has replaced register 0
 * by index 32, the CPU's always-zero slot, and for D-form loads and stores {@code rb} is 32 too, so
 * one effective-address rule serves the D and X forms. {@code imm} holds the sign- or zero-extended
 * immediate, a rotate mask, or a branch target; {@code aux} a shift count, SPR number, field mask,
 * BO/BI, or the like. {@code word} is the raw instruction, {@code pc} its address.
 */
record DecodedInsn(int op, int rt, int ra, int rb, long imm, int aux, boolean rc, boolean oe, long pc, int word) {
}
