/**
 * The PAPR hypercall layer of the VMM, with QEMU's semantics (hw/ppc/spapr_hcall.c,
 * spapr_iommu.c, spapr_rtas.c, spapr_rtas_ddw.c): one dispatch table by hcall number
 * ({@link org.jvmm.papr.PaprHypercalls}), the TCE hypercalls ({@link org.jvmm.papr.TceHypercalls})
 * for every call KVM hands up, H_SET_MODE and the logical CI accesses
 * ({@link org.jvmm.papr.PlatformHypercalls}), and RTAS ({@link org.jvmm.papr.Rtas}, QEMU 7.2's
 * fixed tokens in {@link org.jvmm.papr.RtasTokens}) with the dynamic DMA window calls
 * ({@link org.jvmm.papr.DdwRtasCalls}), the EEH calls, PCI configuration access
 * ({@link org.jvmm.papr.PciConfigRtasCalls}) and the machine-level calls: display-character,
 * time of day, power-off, reboot, os-term ({@link org.jvmm.papr.SystemRtasCalls}), the XICS source
 * calls ({@link org.jvmm.papr.XicsRtasCalls}, hw/intc/xics_spapr.c) and MSI set-up
 * ({@link org.jvmm.papr.MsiRtasCalls} with QEMU's allocator {@link org.jvmm.papr.SpaprMsiAllocator},
 * hw/ppc/spapr_pci.c and spapr_irq.c).
 */
package org.jvmm.papr;
