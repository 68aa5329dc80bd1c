/**
 * The VMM's side of the KVM accelerator, as QEMU's accel/kvm: a memory listener that keeps the
 * VM's memslots in step with guest RAM ({@link org.jvmm.accel.kvm.KvmMemoryListener}, after
 * kvm_region_add/del) and the VM's GSI routing table with one route per MSI vector
 * ({@link org.jvmm.accel.kvm.GsiRouter}, after kvm_irqchip_add_msi_route). Both use only the
 * accelerator API ({@code org.jvmm.kvm}). The listener runs under the memory topology lock; the
 * router is thread-safe (devices enable MSI from vCPU threads).
 */
package org.jvmm.accel.kvm;
