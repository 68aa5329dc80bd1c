package org.jvmm.vfio.iommu;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;

/** The vfio_iommu_type1 driver: serves VFIO_TYPE1_IOMMU and VFIO_TYPE1v2_IOMMU. */
public final class Type1Driver implements IommuDriver {
    /** dma_entry_limit module parameter (default 65535). */
    private final int dmaEntryLimit;

    public Type1Driver() {
        this(65535);
    }

    public Type1Driver(int dmaEntryLimit) {
        if (dmaEntryLimit < 0) {
            throw new IllegalArgumentException("dma_entry_limit " + dmaEntryLimit + " is negative");
        }
        this.dmaEntryLimit = dmaEntryLimit;
    }

    @Override
    public String name() {
        return "vfio_iommu_type1";
    }

    @Override
    public int checkExtension(long extension) {
        return Type1Iommu.checkExtension(null, extension);
    }

    @Override
    public IommuBackend open(long type, IommuHostResources host) {
        if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU) {
            throw new ErrnoException("VFIO_SET_IOMMU", Errno.EINVAL, "type " + type + " is not a TYPE1 IOMMU");
        }
        return new Type1Iommu(type == VFIO_TYPE1v2_IOMMU, dmaEntryLimit, host.hardware(), host.memory(),
                host.memlock());
    }
}
