/**
 * The host process as the kernel sees it: errno results, the syscall seam ({@code sys}) and host
 * virtual memory ({@code memory}). VFIO, KVM and the VMM all stand on this package.
 */
package org.jvmm.host;
