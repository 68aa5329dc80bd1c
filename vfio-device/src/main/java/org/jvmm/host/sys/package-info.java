/**
 * The syscall seam: the few Linux calls the project makes (open, close, ioctl, mmap, munmap,
 * eventfd, memfd, read, write) behind one small interface, {@link org.jvmm.host.sys.Syscalls}, with
 * its Foreign Function &amp; Memory implementation in {@link org.jvmm.host.sys.LinuxSyscalls}. Calls return
 * what the kernel returns (a value, or {@code -errno}), so hot paths pay for no exception and a
 * test can put a fake with the same signatures in its place.
 */
package org.jvmm.host.sys;
