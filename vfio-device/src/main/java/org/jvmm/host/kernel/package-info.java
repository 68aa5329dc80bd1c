/**
 * The host-kernel assembler ({@link org.jvmm.host.kernel.HostKernel}): boots the PCI platform and
 * loads VFIO on it (the VFIO core, its IOMMU drivers, the vfio-pci bus driver), as module init
 * would. It sits above both {@code org.jvmm.pci.host} and {@code org.jvmm.vfio}, which do not know
 * each other's assembly.
 */
package org.jvmm.host.kernel;
