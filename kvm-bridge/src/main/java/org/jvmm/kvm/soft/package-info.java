/**
 * The soft accelerator: the KVM-shaped API ({@link org.jvmm.kvm.Kvm}, {@link org.jvmm.kvm.Vm},
 * {@link org.jvmm.kvm.Vcpu}) implemented in process for sPAPR guests, with a pluggable CPU
 * ({@link org.jvmm.kvm.soft.SoftCpu}: a script, or the PPC64 interpreter of
 * {@code org.jvmm.kvm.soft.ppc} through {@link org.jvmm.kvm.soft.PpcSoftCpu}), KVM's sPAPR TCE tables, the KVM-VFIO device and the
 * in-bridge hypercall fast path of {@code org.jvmm.kvm.soft.spapr}. File descriptors live in a
 * {@link org.jvmm.kvm.soft.SoftFileTable} that plays the process's fd table.
 */
package org.jvmm.kvm.soft;
