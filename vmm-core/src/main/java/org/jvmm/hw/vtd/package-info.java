/**
 * A virtual Intel VT-d in scalable mode for the x86 toy machine (reference mdev-pasid.md Part C):
 * the register block ({@link org.jvmm.hw.vtd.VtdRegs}, {@link org.jvmm.hw.vtd.VtdIommu}), the
 * IOTLB ({@link org.jvmm.hw.vtd.VtdIotlb}), and the host side of a guest's PASID bindings
 * ({@link org.jvmm.hw.vtd.VtdBackend}: iommufd nesting, {@link org.jvmm.hw.vtd.VtdIommufdBackend}, or seed 001's
 * passdown, {@link org.jvmm.hw.vtd.VtdSeedBackend}).
 * The toy machine has no ACPI DMAR table: the register block sits at {@link org.jvmm.hw.vtd.VtdRegs#BASE}
 * and a guest is told so in its boot argument.
 */
package org.jvmm.hw.vtd;
