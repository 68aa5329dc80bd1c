/**
 * The host's PCI platform as the kernel sees it: topology (bridges, multifunction slots, ACS),
 * IOMMU groups computed from it, drivers bound to functions and the sysfs operations that move
 * them (unbind, bind, new_id, driver_override, drivers_probe), group viability, the IOMMU
 * hardware description and the process's locked-memory account.
 * {@link org.jvmm.pci.host.HostPciPlatform} is the entry point.
 *
 * <p>Below VFIO: this package knows drivers only as {@link org.jvmm.pci.host.PciDriver}s and DMA
 * only through the host IOMMU core ({@code org.jvmm.iommu}); vfio-pci is registered by the
 * host-kernel assembler ({@code org.jvmm.host.kernel}).
 */
package org.jvmm.pci.host;
