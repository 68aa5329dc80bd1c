/**
 * Sized, byte-order-aware loads and stores over {@link java.lang.foreign.MemorySegment}s (the
 * role of rust-vmm vm-memory's {@code Bytes} trait), and the split of a run of bytes into the
 * largest naturally aligned accesses. Every layer that moves a 1-, 2-, 4- or 8-byte value in and
 * out of bytes uses {@link org.jvmm.address.bytes.Bytes}: the VMM's address spaces and exit
 * handler, the vfio-pci driver's region access, the soft accelerator's scripted vCPU.
 */
package org.jvmm.address.bytes;
