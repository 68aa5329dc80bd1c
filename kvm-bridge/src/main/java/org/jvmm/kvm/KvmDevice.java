package org.jvmm.kvm;

import java.lang.foreign.MemorySegment;

/**
 * A KVM device (KVM_CREATE_DEVICE), driven through attributes (struct kvm_device_attr): a group,
 * an attribute within it, and the memory its value is read from or written to.
 *
 * <p>Closing releases the device's file descriptor. What happens to the device then is the
 * kernel's rule (virt/kvm/kvm_main.c, kvm_device_release): a device type with a release operation
 * (the KVM-VFIO device has one) is destroyed with its last fd, so a one-per-VM device may be
 * created again; other types live until the VM is destroyed. Closing twice throws. Any thread.
 */
public interface KvmDevice extends AutoCloseable {
    KvmDeviceType type();

    /** KVM_SET_DEVICE_ATTR; the kernel reads the value from {@code value}. */
    void setAttribute(int group, long attribute, MemorySegment value);

    /** KVM_GET_DEVICE_ATTR; the kernel writes the value into {@code value}. */
    void getAttribute(int group, long attribute, MemorySegment value);

    /** KVM_HAS_DEVICE_ATTR: false when the kernel answers ENXIO. */
    boolean hasAttribute(int group, long attribute);

    @Override
    void close();
}
