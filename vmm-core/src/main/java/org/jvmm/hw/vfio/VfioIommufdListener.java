package org.jvmm.hw.vfio;

import static org.jvmm.iommufd.IommufdUapi.*;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommufd.Iommufd;
import org.jvmm.iommufd.IommufdStructs.IoasMap;
import org.jvmm.iommufd.IommufdStructs.IoasUnmap;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;
import org.jvmm.memory.RamRegion;
import org.jvmm.trace.Trace;

/**
 * Keeps an iommufd IOAS's mappings equal to the guest's RAM, as QEMU's VFIO listener does over an
 * iommufd backend (hw/vfio/iommufd.c): each RAM section is mapped with IOMMU_IOAS_MAP at the fixed
 * IOVA of its guest-physical address from its host address (READABLE, plus WRITEABLE unless ROM),
 * trimmed to whole pages; its removal is IOMMU_IOAS_UNMAP of the same range. Failures are recorded
 * ({@link #errors()}), never thrown into the memory core; the section stays unmapped and device
 * DMA there faults. Runs under the memory topology lock.
 */
public final class VfioIommufdListener implements MemoryListener {
    private static final long PAGE = 4096;

    private final Iommufd iommufd;
    private final int ioasId;
    private final List<String> errors = new ArrayList<>();
    private long maps;
    private long unmaps;
    private long mappedBytes;

    public VfioIommufdListener(Iommufd iommufd, int ioasId) {
        this.iommufd = iommufd;
        this.ioasId = ioasId;
    }

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
        int flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | (a.isReadOnly() ? 0 : IOMMU_IOAS_MAP_WRITEABLE);
        long iova = a.offsetWithinAddressSpace().value();
        try {
            iommufd.ioasMap(IoasMap.of(flags, ioasId, a.hostAddress().value(), a.size(), iova));
            maps++;
            mappedBytes += a.size();
            Trace.vfioDma(true, iova, a.size(), null);
        } catch (ErrnoException e) {
            Trace.vfioDma(true, iova, a.size(), e.getMessage());
            errors.add(e.getMessage() + (((RamRegion) a.region()).ownsMemory() ? "" : " (device memory)"));
        }
    }

    @Override
    public synchronized void regionDel(MemoryRegionSection s) {
        MemoryRegionSection a = s.isRam() ? s.pageAligned(PAGE) : null;
        if (a == null) {
            return;
        }
        long iova = a.offsetWithinAddressSpace().value();
        try {
            long done = iommufd.ioasUnmap(IoasUnmap.of(ioasId, iova, a.size())).length();
            unmaps++;
            mappedBytes -= done;
            Trace.vfioDma(false, iova, done, null);
        } catch (ErrnoException e) {
            Trace.vfioDma(false, iova, a.size(), e.getMessage());
            errors.add(e.getMessage());
        }
    }

    /** IOAS_MAP calls that succeeded. */
    public synchronized long maps() {
        return maps;
    }

    /** IOAS_UNMAP calls that unmapped something. */
    public synchronized long unmaps() {
        return unmaps;
    }

    /** Bytes mapped now through this listener. */
    public synchronized long mappedBytes() {
        return mappedBytes;
    }

    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }
}
