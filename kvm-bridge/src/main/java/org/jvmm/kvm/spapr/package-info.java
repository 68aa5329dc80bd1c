/**
 * KVM's sPAPR (PAPR on POWER) interface: hypercall numbers and statuses, and the argument of
 * KVM_CREATE_SPAPR_TCE_64. The in-process implementation is in {@code org.jvmm.kvm.soft.spapr}.
 */
package org.jvmm.kvm.spapr;
