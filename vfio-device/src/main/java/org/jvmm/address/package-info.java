/**
 * Typed addresses shared by every layer, in the manner of rust-vmm's {@code GuestAddress}: a
 * guest-physical address, an I/O virtual address and a host virtual address are different types,
 * so one can never be passed where another is meant. They live in the bottom module because the
 * host kernel's model (VFIO, IOMMUs), the accelerator (KVM) and the VMM all speak of them.
 */
package org.jvmm.address;
