package org.jvmm.kvm.x86;

/** A descriptor table register (GDTR, IDTR), as struct kvm_dtable: base and limit (size - 1). */
public record DescriptorTable(long base, int limit) {
}
