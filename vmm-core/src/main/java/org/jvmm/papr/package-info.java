/**
 * The PAPR hypercall layer of the VMM, with QEMU's semantics (hw/ppc/spapr_hcall.c,
 * spapr_iommu.c, spapr_rtas.c, spapr_rtas_ddw.c): one dispatch table by hcall number
 * ({@link org.jvmm.papr.PaprHypercalls}), the TCE hypercalls ({@link org.jvmm.papr.TceHypercalls})
 * for every call KVM hands up, and RTAS ({@link org.jvmm.papr.Rtas}) with the dynamic DMA window
 * calls ({@link org.jvmm.papr.DdwRtasCalls}), the XICS source calls
 * ({@link org.jvmm.papr.XicsRtasCalls}, hw/intc/xics_spapr.c) and MSI set-up
 * ({@link org.jvmm.papr.MsiRtasCalls} with QEMU's allocator {@link org.jvmm.papr.SpaprMsiAllocator},
 * hw/ppc/spapr_pci.c and spapr_irq.c).
 */
package org.jvmm.papr;
