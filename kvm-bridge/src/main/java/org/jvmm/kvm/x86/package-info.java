/**
 * x86-64 specifics of the accelerator: register files ({@link org.jvmm.kvm.x86.Regs},
 * {@link org.jvmm.kvm.x86.Sregs}), CPUID, the x86 faces of the API ({@link
 * org.jvmm.kvm.x86.X86Kvm}, {@link org.jvmm.kvm.x86.X86Vm}, {@link org.jvmm.kvm.x86.X86Vcpu}),
 * and the boot helper that puts a vCPU straight into 64-bit long mode ({@link
 * org.jvmm.kvm.x86.LongModeBoot}, with {@link org.jvmm.kvm.x86.IdentityPageTables} and
 * {@link org.jvmm.kvm.x86.FlatGdt}).
 */
package org.jvmm.kvm.x86;
