/**
 * The Linux backend of the accelerator: /dev/kvm through the Foreign Function &amp; Memory API and
 * the project's syscall seam ({@link org.jvmm.host.sys.Syscalls}). Ioctl numbers are constants
 * ({@link org.jvmm.kvm.linux.KvmIoctls}) and struct layouts are offsets
 * ({@link org.jvmm.kvm.linux.KvmStructs}), both pinned by tests against the uapi headers.
 *
 * <p>Entry point: {@link org.jvmm.kvm.linux.LinuxKvm#open()}.
 */
package org.jvmm.kvm.linux;
