package org.jvmm.pci.host;

import java.util.List;
import org.jvmm.iommu.DmaDomain;

/**
 * An IOMMU group: the smallest set of functions the IOMMU can isolate from the rest of the
 * system (/sys/kernel/iommu_groups/N). Computed once from the topology by {@link HostPciPlatform}.
 *
 * <p>While a VFIO container owns the group (its DMA owner is claimed), host drivers cannot bind
 * to its functions, and their DMA goes through the container's IOMMU {@link #dmaDomain()}.
 * State changes happen under the platform's lock; {@link #dmaDomain()} is read lock-free by DMA.
 */
public final class IommuGroup {
    private final int id;
    private final List<HostPciFunction> functions;
    private volatile DmaDomain domain;
    private Object dmaOwner;
    private volatile boolean mmioFrozen;

    IommuGroup(int id, List<HostPciFunction> functions) {
        this.id = id;
        this.functions = List.copyOf(functions);
    }

    /** The group number N of /dev/vfio/N. */
    public int id() {
        return id;
    }

    /** The functions in the group, in address order (ls iommu_group/devices). */
    public List<HostPciFunction> functions() {
        return functions;
    }

    /**
     * Viable (Documentation/vfio.txt): every function is bound to vfio-pci or to no driver; a
     * bridge without a host driver does not block.
     */
    public boolean isViable() {
        for (HostPciFunction f : functions) {
            String d = f.driverName();
            if (d != null && !d.equals(HostPciPlatform.VFIO_PCI)) {
                return false;
            }
        }
        return true;
    }

    /** True when at least one function is bound to vfio-pci, so /dev/vfio/N exists. */
    public boolean hasVfioDevice() {
        for (HostPciFunction f : functions) {
            if (HostPciPlatform.VFIO_PCI.equals(f.driverName())) {
                return true;
            }
        }
        return false;
    }

    /** The domain DMA of the group's functions goes through, or null (blocked). */
    public DmaDomain dmaDomain() {
        return domain;
    }

    /** Attaches the group's DMA to {@code domain} (null blocks it). Caller holds the platform lock. */
    public void setDmaDomain(DmaDomain domain) {
        this.domain = domain;
    }

    /** Who claimed DMA ownership (a VFIO group attached to a container), or null. */
    public Object dmaOwner() {
        return dmaOwner;
    }

    /** Claims (owner != null) or releases DMA ownership. Caller holds the platform lock. */
    public void setDmaOwner(Object owner) {
        this.dmaOwner = owner;
    }

    /**
     * True while the host bridge has isolated the group's partitionable endpoint for MMIO (sPAPR
     * EEH): loads from its functions return all-ones and stores are dropped. Read lock-free.
     */
    public boolean mmioFrozen() {
        return mmioFrozen;
    }

    /** Set by the host bridge's error model (org.jvmm.pci.host.spapr) as it freezes and thaws the PE. */
    public void setMmioFrozen(boolean frozen) {
        this.mmioFrozen = frozen;
    }

    @Override
    public String toString() {
        return "IommuGroup[" + id + " " + functions.stream().map(f -> f.address().toString()).toList() + "]";
    }
}
