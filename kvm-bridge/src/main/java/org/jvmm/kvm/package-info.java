/**
 * The accelerator's API, shaped like Linux KVM: a {@link org.jvmm.kvm.Kvm} system handle makes
 * {@link org.jvmm.kvm.Vm}s, a VM makes {@link org.jvmm.kvm.Vcpu}s, memslots, irqfds, ioeventfds
 * and KVM devices, and {@link org.jvmm.kvm.Vcpu#run()} returns a {@link org.jvmm.kvm.VcpuExit}.
 *
 * <p>Backends: {@code org.jvmm.kvm.linux} drives /dev/kvm through FFM (x86-64 guests); a soft
 * backend implements the same interfaces in process. Architecture-specific state (registers,
 * CPUID, the x86 boot helper) lives in {@code org.jvmm.kvm.x86}.
 *
 * <p>The interfaces are not sealed: a sealed interface in an unnamed module may only permit
 * classes of its own package, and each backend keeps its implementation in its own package.
 * {@link org.jvmm.kvm.VcpuExit} is sealed, since its records live beside it.
 *
 * <p>Ownership: every object made here is {@link java.lang.AutoCloseable} with one owner, and
 * closing twice throws {@link java.lang.IllegalStateException}. A VM refuses to close while any
 * of its vCPUs, memslots, irqfds, ioeventfds or devices is still open.
 */
package org.jvmm.kvm;
