package org.jvmm.vfio;

import org.jvmm.host.ErrnoException;

/**
 * The surface of a VFIO device file a vfio-pci consumer uses: the {@link VfioDeviceCalls} and
 * close. {@link VfioDevice} is the in-process kernel model's file;
 * {@code org.jvmm.vfiouser.VfioUserDevice} carries the same calls over a vfio-user socket to a
 * device in another process. Failures are {@link ErrnoException}s with the errno the kernel (or
 * the vfio-user server) gave; an access to a region while the device cannot answer is a
 * {@link BusErrorException} or all-ones, as the implementation documents.
 */
public interface VfioDeviceFile extends VfioDeviceCalls, AutoCloseable {

    /** Whether {@link #close} has run. */
    boolean isClosed();

    /** close(2): the device's interrupts and mappings are released. */
    @Override
    void close();
}
