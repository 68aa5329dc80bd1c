/**
 * The soft accelerator's in-kernel interrupt controller for sPAPR guests: XICS
 * ({@link org.jvmm.kvm.soft.xics.SoftXics}), one ICS of 4096 sources from 0x1000 and one ICP per
 * vCPU, with the presentation rules of QEMU's hw/intc/xics.c and the hcall answers of
 * hw/intc/xics_spapr.c (H_CPPR, H_EOI, H_XIRR, H_XIRR_X, H_IPI, H_IPOLL). A
 * {@link org.jvmm.kvm.soft.SoftVm} makes it on KVM_CREATE_DEVICE(KVM_DEV_TYPE_XICS); the VMM's
 * RTAS layer drives sources through {@link org.jvmm.kvm.spapr.SpaprXics}.
 */
package org.jvmm.kvm.soft.xics;
