package org.jvmm.kvm;

/**
 * One virtual CPU.
 *
 * <p>Thread rules: {@link #run()} is called by one platform thread, the vCPU's thread (the first
 * thread to call it; another thread, or a virtual thread, is refused). {@link #kick()} may be
 * called from any thread, at any time, and is how a vCPU is stopped from outside. Register access
 * ({@code org.jvmm.kvm.x86.X86Vcpu}) is for the vCPU's thread, or any thread while the vCPU is
 * not running. {@link #close()} is for the owner once the vCPU's thread no longer runs it.
 */
public interface Vcpu extends AutoCloseable {

    /** The vCPU id given at creation (the APIC id on x86). */
    int id();

    /**
     * KVM_RUN: runs the guest until it needs the VMM and returns why. A data segment in the exit
     * (I/O, MMIO) is valid until the next call; answer an IN or an MMIO read by writing it before
     * calling again. After {@link #kick()}, the current or next call returns
     * {@link VcpuExit.Interrupted} (or another exit that was already due) without running on.
     */
    VcpuExit run();

    /**
     * Makes the vCPU leave the guest and return from {@link #run()} as soon as possible, from any
     * thread: sets immediate_exit in the shared run area and, if the vCPU thread is known, sends
     * it the kick signal so that a KVM_RUN in progress returns EINTR.
     */
    void kick();

    /**
     * Closes the vCPU's handle; closing twice throws. As in KVM, the vCPU itself lives until its
     * VM is destroyed, so its id cannot be used again in the same VM (KVM_CREATE_VCPU: EEXIST).
     */
    @Override
    void close();
}
