/**
 * Host virtual memory of this process: native mappings made through FFM ({@link
 * org.jvmm.host.memory.HostMapping}) and the registry that plays {@code get_user_pages}
 * ({@link org.jvmm.host.memory.HostMemoryRegistry}): KVM memslots and VFIO MAP_DMA name memory
 * by host virtual address, and an address outside every registered mapping is EFAULT, never
 * dereferenced.
 */
package org.jvmm.host.memory;
