package org.jvmm.iommu;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.Iova;

/**
 * A translating IOMMU domain that devices' DMA goes through: what an IOMMU group is attached to
 * while a VFIO container with an IOMMU backend owns it.
 *
 * <p>Implementations are thread-safe: DMA comes from device threads and vCPU threads while the
 * VMM maps and unmaps.
 */
public interface DmaDomain {

    /**
     * Copies between device-side {@code buffer} and memory at {@code iova}: all or nothing.
     *
     * @param toMemory true for a device write (buffer -> memory), false for a device read
     * @return null when every byte moved, otherwise why nothing moved
     */
    FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory);

    /** The translation of the page holding {@code iova} for the given access (a miss when refused). */
    HostIommuTlbEntry translate(Iova iova, AccessKind access);

    /** Where this domain's recoverable faults (page requests) go, or null: every request is answered invalid. */
    default IopfHandler iopfHandler() {
        return null;
    }
}
