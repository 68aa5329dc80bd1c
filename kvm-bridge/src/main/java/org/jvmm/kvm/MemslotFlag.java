package org.jvmm.kvm;

import java.util.Set;

/** Flags of a memslot (KVM_MEM_* in include/uapi/linux/kvm.h). */
public enum MemslotFlag {
    /** KVM_MEM_LOG_DIRTY_PAGES: track pages the guest writes. */
    LOG_DIRTY_PAGES(1),
    /** KVM_MEM_READONLY: guest writes exit to the VMM as MMIO (KVM_CAP_READONLY_MEM). */
    READONLY(2);

    private final int bit;

    MemslotFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    /** The flags word KVM_SET_USER_MEMORY_REGION takes. */
    public static int toBits(Set<MemslotFlag> flags) {
        int bits = 0;
        for (MemslotFlag f : flags) {
            bits |= f.bit;
        }
        return bits;
    }
}
