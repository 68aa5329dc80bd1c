package org.jvmm.iommu;

import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;

/**
 * One IOMMU translation, as QEMU's IOMMUTLBEntry: the IOVA page ({@code iova}, aligned to
 * {@code addrMask + 1}), the host address it translates to, the mask of the page and the
 * permissions. A miss is an entry with permission {@link IommuPermission#NONE} and no address.
 */
public record HostIommuTlbEntry(Iova iova, HostAddress translated, long addrMask, IommuPermission perm) {

    public static HostIommuTlbEntry miss(Iova iova, long addrMask) {
        return new HostIommuTlbEntry(new Iova(iova.value() & ~addrMask), null, addrMask, IommuPermission.NONE);
    }

    public boolean isMapped() {
        return perm != IommuPermission.NONE;
    }
}
