/**
 * The VFIO consumer, as QEMU's hw/vfio: a container per guest address space kept in step with
 * guest RAM by a memory listener ({@link org.jvmm.hw.vfio.VfioType1Space}), and vfio-pci devices
 * ({@link org.jvmm.hw.vfio.VfioPciDevice}) that show a host function to the guest: emulated
 * configuration space over the device's, trapped and mmap-ed BARs, MSI and INTx through eventfds
 * and KVM irqfds. The sPAPR container ({@link org.jvmm.hw.vfio.VfioSpaprSpace}) links guest
 * windows to KVM's TCE tables through the accelerator's sPAPR view ({@code org.jvmm.kvm.spapr.SpaprVm}).
 */
package org.jvmm.hw.vfio;
