package org.jvmm.iommu;

import org.jvmm.address.Iova;
import org.jvmm.pci.PciAddress;

/**
 * One PCIe page request (PRI) a device sent after a translation of {@code addr} missed: the
 * requester, the PASID it was tagged with ({@link #NO_PASID} for none), the page address, the
 * access it needs, its page request group index, and whether it is the last request of the group.
 */
public record PageRequest(PciAddress device, int pasid, Iova addr, AccessKind access, int groupIndex, boolean lastInGroup) {
    /** The value of {@link #pasid()} for a request without a PASID prefix. */
    public static final int NO_PASID = -1;

    public boolean hasPasid() {
        return pasid != NO_PASID;
    }
}
