package org.jvmm.kvm.x86;

/**
 * One CPUID leaf as struct kvm_cpuid_entry2: {@code function} (EAX in), {@code index} (ECX in,
 * for leaves flagged significant), and the four registers out.
 */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX: the leaf depends on ECX. */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    @Override
    public String toString() {
        return String.format("CPUID[0x%x.%d eax=%08x ebx=%08x ecx=%08x edx=%08x flags=%d]",
                function, index, eax, ebx, ecx, edx, flags);
    }
}
