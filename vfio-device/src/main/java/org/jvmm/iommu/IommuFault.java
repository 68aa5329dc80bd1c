package org.jvmm.iommu;

import org.jvmm.address.Iova;
import org.jvmm.pci.PciAddress;

/**
 * One refused device DMA, as an IOMMU's fault record reports it: the device (requester), the
 * IOVA of the transfer, its length, the access kind and why. No byte of a faulted transfer moved.
 */
public record IommuFault(PciAddress device, Iova iova, long size, AccessKind access, FaultReason reason) {
    @Override
    public String toString() {
        return "IOMMU fault: " + device + " " + access + " iova=" + iova + " size=0x" + Long.toHexString(size) + " (" + reason + ")";
    }
}
