/**
 * vfio-user: the VFIO device API carried over a Unix socket (libvfio-user's docs/vfio-user.rst,
 * also in QEMU as docs/interop/vfio-user.rst), so a device model can live in another process.
 *
 * <p>At the bottom, the wire format: {@link org.jvmm.vfiouser.VfioUserHeader} (the 16-byte
 * header), {@link org.jvmm.vfiouser.VfioUserCommand} (the command numbers) and the payloads of
 * {@link org.jvmm.vfiouser.VfioUserPayloads}, each laid out as the specification lays it out,
 * little-endian. Decoding never throws into the caller for a malformed peer message: it returns
 * the errno a server answers with (EINVAL for a short or inconsistent message).
 *
 * <p>On top of it: the transport ({@link org.jvmm.vfiouser.VfioUserSocket}, a listening socket
 * for one client after another in {@link org.jvmm.vfiouser.VfioUserListener}), the server
 * ({@link org.jvmm.vfiouser.VfioUserServer}: the device API, DMA_MAP/UNMAP into the device's
 * TYPE1 container, DMA_READ/WRITE for ranges without an fd through
 * {@link org.jvmm.vfiouser.VfioUserDmaModel}, region fds for mmap), a client library
 * ({@link org.jvmm.vfiouser.VfioUserClient}) and, over it, a VFIO device file for the vfio-pci
 * consumer ({@link org.jvmm.vfiouser.VfioUserDevice}).
 */
package org.jvmm.vfiouser;
