package org.jvmm.iommu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-PASID domains of one function (the IOMMU's PASID table for a device): DMA tagged with
 * a PASID goes through the domain attached to that PASID, or is blocked when none is. PASID 0
 * (IOMMU_NO_PASID) is never here: untagged DMA uses the group's domain.
 *
 * <p>Thread-safe: DMA reads lock-free while attach and detach update it.
 */
public final class PasidAttachments {
    private final Map<Integer, DmaDomain> domains = new ConcurrentHashMap<>();

    /** The domain of {@code pasid}, or null (blocked). */
    public DmaDomain domain(int pasid) {
        return domains.get(pasid);
    }

    /** Attaches (domain != null) or blocks (null) {@code pasid}; returns the previous domain. */
    public DmaDomain set(int pasid, DmaDomain domain) {
        if (pasid <= 0) {
            throw new IllegalArgumentException("PASID " + pasid + " cannot carry a PASID domain");
        }
        return domain == null ? domains.remove(pasid) : domains.put(pasid, domain);
    }

    /** PASIDs with a domain now. */
    public int size() {
        return domains.size();
    }

    /** Blocks every PASID. */
    public void clear() {
        domains.clear();
    }
}
