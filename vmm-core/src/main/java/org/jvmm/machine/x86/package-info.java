/**
 * The x86-toy machine on Linux KVM: its memory and I/O layout ({@link org.jvmm.machine.x86.X86ToyLayout}:
 * RAM split around the 32-bit PCI hole, a 64-bit PCI hole above RAM, the PCI bus, serial, exit and
 * checkpoint ports), the machine with its vCPU, vfio-pci devices and memory hotplug
 * ({@link org.jvmm.machine.x86.X86ToyMachine}), and the builder that assembles host and machine
 * from configuration records ({@link org.jvmm.machine.x86.X86ToyBuilder}). Threads and ownership
 * are in each class comment: the machine owns everything it made; its vCPU runs on a platform
 * thread of its own.
 */
package org.jvmm.machine.x86;
