/**
 * A software PPC64 CPU (Power ISA v3.0 subset, 64-bit mode and the 32-bit mode firmware is entered
 * in, real mode, both byte orders) for the
 * soft backend: {@link org.jvmm.kvm.soft.ppc.PpcCpu} runs guest code from a guest RAM
 * {@link java.lang.foreign.MemorySegment}, hands loads and stores outside RAM to a
 * {@link org.jvmm.kvm.soft.ppc.MmioHandler}, {@code sc 1} to a
 * {@link org.jvmm.kvm.soft.ppc.HypercallHandler}, and returns a {@link org.jvmm.kvm.soft.ppc.PpcExit}
 * that a soft vCPU turns into its KVM-shaped exit.
 */
package org.jvmm.kvm.soft.ppc;
