/**
 * The guest-visible PCI bus (QEMU's hw/pci): functions with an emulated configuration space,
 * BARs that the guest sizes and places and that appear in the machine's memory and I/O spaces
 * while decode is on, and the PC's configuration mechanism #1 at ports 0xCF8/0xCFC.
 *
 * <p>Configuration accesses come from vCPU threads; a function's configuration space is guarded by
 * the bus lock, and BAR moves change the memory tree under its topology lock.
 */
package org.jvmm.hw.pci;
