package org.jvmm.vfio.iommu;

import org.jvmm.address.HostAddress;

/**
 * struct vfio_iommu_spapr_register_memory (VFIO_IOMMU_SPAPR_REGISTER_MEMORY / _UNREGISTER_MEMORY):
 * [vaddr, vaddr + size) of the process's memory.
 */
public record SpaprRegisterMemory(int argsz, int flags, HostAddress vaddr, long size) {
    /** offsetofend(struct vfio_iommu_spapr_register_memory, size). */
    public static final int MIN_SIZE = 24;

    public static SpaprRegisterMemory of(HostAddress vaddr, long size) {
        return new SpaprRegisterMemory(MIN_SIZE, 0, vaddr, size);
    }

    @Override
    public String toString() {
        return "argsz=" + argsz + ", flags=0x" + Integer.toHexString(flags) + ", vaddr=" + vaddr + ", size=0x"
                + Long.toHexString(size);
    }
}
