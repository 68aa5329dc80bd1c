/**
 * pseries (sPAPR) devices as QEMU's hw/ppc models them: the guest's TCE tables
 * ({@link org.jvmm.hw.spapr.SpaprTceTable}, one per LIOBN, each an IOMMU region) and the guest
 * PCI host bridge ({@link org.jvmm.hw.spapr.SpaprPhb}) with its DMA windows.
 */
package org.jvmm.hw.spapr;
