package org.jvmm.iommu;

import org.jvmm.pci.PciAddress;

/** The facts about a bus-master function that its DMA needs: who it is, whether it may master, and its domain. */
public interface DmaRequester {
    PciAddress address();

    /** The command register's bus-master enable bit. */
    boolean busMasterEnabled();

    /** The domain the function's IOMMU group is attached to now, or null when DMA is blocked. */
    DmaDomain dmaDomain();

    /** The domain attached to {@code pasid} (1 and up) of this function, or null when that PASID is blocked. */
    default DmaDomain pasidDomain(int pasid) {
        return null;
    }
}
