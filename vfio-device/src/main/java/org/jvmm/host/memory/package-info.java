/**
 * Host virtual memory of this process: native mappings made through FFM ({@link
 * org.jvmm.host.memory.HostMapping}) and the registry that plays {@code get_user_pages}
 * ({@link org.jvmm.host.memory.HostMemoryRegistry}): KVM memslots and VFIO MAP_DMA name memory
 * by host virtual address, and an address outside every registered mapping is EFAULT, never
 * dereferenced. The process's locked memory against RLIMIT_MEMLOCK ({@link
 * org.jvmm.host.memory.LockedMemoryAccount}, mm's {@code locked_vm}) is charged by DMA pinning.
 */
package org.jvmm.host.memory;
