/**
 * The VFIO consumer, as QEMU's hw/vfio: a TYPE1 container per guest address space kept in step
 * with guest RAM by a memory listener ({@link org.jvmm.hw.vfio.VfioType1Space},
 * {@link org.jvmm.hw.vfio.VfioType1Listener}), and vfio-pci devices
 * ({@link org.jvmm.hw.vfio.VfioPciDevice}) that show a host function to the guest: emulated
 * configuration space over the device's, BARs as regions ({@code VfioRegion}, QEMU's region.c:
 * trapped, or mmap-ed and faulted in), and one class per interrupt kind: INTx ({@code VfioIntx}),
 * MSI ({@code VfioMsi}) and MSI-X ({@link org.jvmm.hw.vfio.VfioMsix}: the table and PBA emulated,
 * vectors masked per entry), through eventfds and KVM irqfds. Devices reach their container
 * through {@link org.jvmm.hw.vfio.VfioSpace}. The sPAPR container
 * ({@link org.jvmm.hw.vfio.VfioSpaprSpace}) links guest windows to KVM's TCE tables through the
 * accelerator's sPAPR view ({@code org.jvmm.kvm.spapr.SpaprVm}).
 */
package org.jvmm.hw.vfio;
