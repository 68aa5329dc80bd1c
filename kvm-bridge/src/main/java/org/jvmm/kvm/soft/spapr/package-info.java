/**
 * KVM's sPAPR TCE support, in process (Linux arch/powerpc/kvm/book3s_64_vio.c): guest-visible TCE
 * tables made by KVM_CREATE_SPAPR_TCE_64, their links to the hardware tables of VFIO groups
 * (through the KVM-VFIO device), and the in-bridge fast path for H_PUT_TCE, H_PUT_TCE_INDIRECT,
 * H_STUFF_TCE and H_GET_TCE that updates both without leaving the vCPU.
 */
package org.jvmm.kvm.soft.spapr;
