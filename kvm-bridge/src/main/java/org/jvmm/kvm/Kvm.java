package org.jvmm.kvm;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;

/**
 * The accelerator itself, what opening /dev/kvm gives: its API version, its capabilities, and
 * new VMs. The Linux backend is {@code org.jvmm.kvm.linux.LinuxKvm.open()}.
 *
 * <p>Thread-safe. Closing it does not affect VMs already made (as with the /dev/kvm fd).
 */
public interface Kvm extends AutoCloseable {

    /** KVM_GET_API_VERSION: 12 on every kernel since 2.6.22. */
    int apiVersion();

    /** KVM_CHECK_EXTENSION: 0 when absent, otherwise a positive, capability-specific value. */
    int checkExtension(Capability capability);

    /**
     * Fails unless the capability is present, naming it and why it is needed.
     *
     * @throws ErrnoException EOPNOTSUPP naming the capability and {@code neededFor}
     */
    default int requireExtension(Capability capability, String neededFor) {
        int value = checkExtension(capability);
        if (value <= 0) {
            throw new ErrnoException("KVM_CHECK_EXTENSION", Errno.EOPNOTSUPP,
                    capability.uapiName() + " (" + capability.number() + ") is not offered by this host's KVM; "
                            + "it is needed for " + neededFor);
        }
        return value;
    }

    /**
     * KVM_CREATE_VM: a new VM whose memslots may only name memory of {@code hostMemory} (anything
     * else is refused with EFAULT before the kernel sees it).
     */
    Vm createVm(HostMemoryRegistry hostMemory);

    /** Closes the handle; VMs made from it stay usable. Closing twice throws. */
    @Override
    void close();
}
