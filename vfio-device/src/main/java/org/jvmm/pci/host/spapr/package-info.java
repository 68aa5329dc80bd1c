/**
 * The host side of sPAPR (POWER) I/O: a PCI host bridge whose partitionable endpoints (PEs) are
 * the IOMMU groups, the hardware TCE tables behind each PE's DMA windows, pre-registered memory
 * (the process's mm_iommu list), and the EEH error model that freezes a PE on a bad DMA.
 * Linux: arch/powerpc/kernel/iommu.c, arch/powerpc/platforms/powernv/pci-ioda*.c,
 * arch/powerpc/mm/book3s64/iommu_api.c, arch/powerpc/kernel/eeh*.c.
 */
package org.jvmm.pci.host.spapr;
