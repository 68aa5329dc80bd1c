/**
 * The Open Firmware client interface of the pseries machine's {@code -kernel} boot, as QEMU 7.2's
 * Virtual Open Firmware ({@code -M pseries,x-vof=on}; hw/ppc/vof.c, hw/ppc/spapr_vof.c) serves
 * it: {@link org.jvmm.machine.pseries.vof.VofBoot} loads the ELF where spapr puts a kernel and
 * enters it with r5 at a small stub that makes the KVMPPC_H_VOF_CLIENT hypercall;
 * {@link org.jvmm.machine.pseries.vof.VofClient} answers the services from
 * {@link org.jvmm.machine.pseries.vof.VofTree}, the device tree with phandles and properties a
 * client may set.
 */
package org.jvmm.machine.pseries.vof;
