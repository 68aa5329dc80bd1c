package org.jvmm.memory;

import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.iommu.IommuPermission;

/**
 * One translation (QEMU's IOMMUTLBEntry): the page of I/O virtual addresses at {@code iova}
 * ({@code addrMask + 1} bytes, aligned) maps to {@code translated} in the IOMMU region's target
 * address space with {@code perm}. An entry with {@link IommuPermission#NONE} maps nothing.
 */
public record IommuTlbEntry(Iova iova, GuestAddress translated, long addrMask, IommuPermission perm) {

    public IommuTlbEntry {
        if ((addrMask & (addrMask + 1)) != 0) {
            throw new IllegalArgumentException("iommu entry: mask 0x" + Long.toHexString(addrMask)
                    + " is not of the form 2^n - 1");
        }
    }

    /** An entry that maps nothing for the page at {@code iova}. */
    public static IommuTlbEntry none(Iova iova, long addrMask) {
        return new IommuTlbEntry(new Iova(iova.value() & ~addrMask), new GuestAddress(0), addrMask, IommuPermission.NONE);
    }

    public long pageSize() {
        return addrMask + 1;
    }
}
