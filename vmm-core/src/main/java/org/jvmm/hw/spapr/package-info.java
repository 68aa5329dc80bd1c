/**
 * pseries (sPAPR) devices as QEMU's hw/ppc models them: the guest's TCE tables
 * ({@link org.jvmm.hw.spapr.SpaprTceTable}, one per LIOBN, each an IOMMU region) and the guest
 * PCI host bridge ({@link org.jvmm.hw.spapr.SpaprPhb}) with its DMA windows, and the spapr-vty
 * console ({@link org.jvmm.hw.spapr.SpaprVty}). KVM's copy of a
 * table is reached through the accelerator's sPAPR view ({@code org.jvmm.kvm.spapr}), on whichever
 * backend offers it.
 */
package org.jvmm.hw.spapr;
