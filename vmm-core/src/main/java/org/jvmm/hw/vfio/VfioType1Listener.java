package org.jvmm.hw.vfio;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.ErrnoException;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;
import org.jvmm.memory.RamRegion;
import org.jvmm.trace.Trace;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.uapi.VfioUapi;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;

/**
 * Keeps a TYPE1 container's mappings equal to the guest's RAM, as QEMU's vfio_listener_region_add
 * and _del do: each RAM section is mapped with iova = its guest-physical address and vaddr = its
 * host address (read-only for ROM), trimmed inward to whole IOMMU pages; its removal unmaps the
 * same range. Because the address space deletes before it adds, a moved region is unmapped before
 * it is mapped again, and a device DMA to the old IOVA faults from then on.
 *
 * <p>A failed map cannot be thrown into the memory core: it is recorded ({@link #errors()}) and
 * the section stays unmapped, so device DMA there faults; for device memory (a BAR of another
 * device) QEMU also only reports it. Runs under the memory topology lock.
 */
public final class VfioType1Listener implements MemoryListener {
    private static final long PAGE = 4096;

    private final VfioContainer container;
    private final List<String> errors = new ArrayList<>();
    private long maps;
    private long unmaps;
    private long mappedBytes;

    public VfioType1Listener(VfioContainer container) {
        this.container = container;
    }

    /** After the accelerator's listener, as QEMU's device-backend priority. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public synchronized void regionAdd(MemoryRegionSection s) {
        MemoryRegionSection a = s.isRam() ? s.pageAligned(PAGE) : null;
        if (a == null) {
            return;
        }
        int flags = VfioUapi.VFIO_DMA_MAP_FLAG_READ | (a.isReadOnly() ? 0 : VfioUapi.VFIO_DMA_MAP_FLAG_WRITE);
        try {
            container.mapDma(new DmaMap(flags, a.hostAddress(), new Iova(a.offsetWithinAddressSpace().value()), a.size()));
            maps++;
            mappedBytes += a.size();
            Trace.vfioDma(true, a.offsetWithinAddressSpace().value(), a.size(), null);
        } catch (ErrnoException e) {
            Trace.vfioDma(true, a.offsetWithinAddressSpace().value(), a.size(), e.getMessage());
            errors.add(e.getMessage() + (((RamRegion) a.region()).ownsMemory() ? "" : " (device memory)"));
        }
    }

    @Override
    public synchronized void regionDel(MemoryRegionSection s) {
        MemoryRegionSection a = s.isRam() ? s.pageAligned(PAGE) : null;
        if (a == null) {
            return;
        }
        try {
            DmaUnmap done = container.unmapDma(new DmaUnmap(0, new Iova(a.offsetWithinAddressSpace().value()), a.size()));
            if (done.size() != 0) {
                unmaps++;
                mappedBytes -= done.size();
            }
            Trace.vfioDma(false, a.offsetWithinAddressSpace().value(), done.size(), null);
        } catch (ErrnoException e) {
            Trace.vfioDma(false, a.offsetWithinAddressSpace().value(), a.size(), e.getMessage());
            errors.add(e.getMessage());
        }
    }

    /** MAP_DMA calls that succeeded. */
    public synchronized long maps() {
        return maps;
    }

    /** UNMAP_DMA calls that unmapped something. */
    public synchronized long unmaps() {
        return unmaps;
    }

    /** Bytes mapped now through this listener. */
    public synchronized long mappedBytes() {
        return mappedBytes;
    }

    /** The map and unmap failures so far, each naming the call, the errno and the values. */
    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }
}
