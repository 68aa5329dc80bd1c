/**
 * The pseries machine skeleton on the soft accelerator: RAM, one sPAPR PHB with QEMU's default
 * 32-bit DMA window, vfio-pci devices behind it through a sPAPR TCE container, the PAPR hypercall
 * layer and RTAS, and a scripted vCPU.
 */
package org.jvmm.machine.pseries;
