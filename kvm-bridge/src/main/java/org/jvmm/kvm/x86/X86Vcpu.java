package org.jvmm.kvm.x86;

import java.util.List;
import org.jvmm.kvm.Vcpu;

/**
 * A vCPU of an x86-64 VM: general and special registers and CPUID. Thread rules as {@link Vcpu}:
 * register access from the vCPU's thread, or from any thread while it is not running.
 */
public interface X86Vcpu extends Vcpu {

    /** KVM_GET_REGS: a copy of the general registers. */
    Regs regs();

    /** KVM_SET_REGS. */
    void setRegs(Regs regs);

    /** KVM_GET_SREGS: a copy of the special registers. */
    Sregs sregs();

    /** KVM_SET_SREGS. */
    void setSregs(Sregs sregs);

    /** KVM_SET_CPUID2: what CPUID answers in the guest (typically {@link X86Kvm#supportedCpuid()}). */
    void setCpuid(List<CpuidEntry> entries);
}
