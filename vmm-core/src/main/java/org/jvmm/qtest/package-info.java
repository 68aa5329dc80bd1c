/**
 * A scripting front end in the spirit of QEMU's qtest: a line protocol that drives the pseries
 * machine's scripted vCPU (memory accesses and hypercalls exactly as a vCPU makes them) and
 * queries what the VMM and the host saw (exits, IOMMU faults, PE state).
 */
package org.jvmm.qtest;
