/**
 * The pseries machine on the soft accelerator ({@link org.jvmm.machine.pseries.PseriesMachine}):
 * RAM, one sPAPR PHB with QEMU's default 32-bit DMA window (and dynamic DMA windows created
 * through RTAS), vfio-pci devices behind it through a sPAPR TCE container, the PAPR hypercall
 * layer, RTAS (DDW and EEH calls), and a vCPU that is either scripted (qtest, tests) or the PPC64
 * CPU running guest code from RAM; the device tree ({@link org.jvmm.machine.pseries.SpaprDeviceTree})
 * and the firmware boot of {@code -bios} ({@link org.jvmm.machine.pseries.PseriesBoot}; {@code -kernel}
 * boots through the Open Firmware client interface of {@link org.jvmm.machine.pseries.vof}), and what
 * RTAS asked of the machine ({@link org.jvmm.machine.pseries.PseriesPower}). {@link org.jvmm.machine.pseries.PseriesBuilder} assembles it
 * beside the one POWER host recipe, {@link org.jvmm.host.kernel.PowerHost}.
 */
package org.jvmm.machine.pseries;
