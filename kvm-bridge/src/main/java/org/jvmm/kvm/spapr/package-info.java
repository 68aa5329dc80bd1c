/**
 * KVM's sPAPR (PAPR on POWER) interface: the PPC/sPAPR view of a VM ({@link
 * org.jvmm.kvm.spapr.SpaprVm}: in-kernel TCE tables, {@link org.jvmm.kvm.spapr.KvmSpaprTceTable},
 * and the KVM-VFIO group fds), hypercall numbers and statuses, and the argument of
 * KVM_CREATE_SPAPR_TCE_64. The in-process implementation is in {@code org.jvmm.kvm.soft} and
 * {@code org.jvmm.kvm.soft.spapr}.
 */
package org.jvmm.kvm.spapr;
