package org.jvmm.kvm.x86;

import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Kvm;

/** The accelerator on an x86-64 host: adds the CPUID KVM can offer a guest. Thread-safe. */
public interface X86Kvm extends Kvm {

    /** KVM_GET_SUPPORTED_CPUID: every leaf KVM can offer, to be given to vCPUs with KVM_SET_CPUID2. */
    List<CpuidEntry> supportedCpuid();

    @Override
    X86Vm createVm(HostMemoryRegistry hostMemory);
}
