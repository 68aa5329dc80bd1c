package org.jvmm.vfio.iommu;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.spapr.PnvPhb;

/**
 * The vfio_iommu_spapr_tce driver for a host whose groups are the PEs of {@code phb}: serves
 * VFIO_SPAPR_TCE_IOMMU and VFIO_SPAPR_TCE_v2_IOMMU only (any other type is EINVAL), and answers
 * VFIO_EEH when the PHB has EEH.
 */
public final class SpaprTceDriver implements IommuDriver {
    private final PnvPhb phb;

    public SpaprTceDriver(PnvPhb phb) {
        this.phb = phb;
    }

    public PnvPhb phb() {
        return phb;
    }

    @Override
    public String name() {
        return "vfio_iommu_spapr_tce";
    }

    @Override
    public int checkExtension(long extension) {
        return SpaprTceIommu.checkExtension(phb, extension);
    }

    @Override
    public SpaprTceIommu open(long type, IommuHostResources host) {
        if (type != VFIO_SPAPR_TCE_IOMMU && type != VFIO_SPAPR_TCE_v2_IOMMU) {
            throw new ErrnoException("VFIO_SET_IOMMU", Errno.EINVAL, "type " + type + " is not a sPAPR TCE IOMMU (2 or 7)");
        }
        if (host.memory() != phb.memory()) {
            throw new IllegalArgumentException("sPAPR PHB and host platform see different process memory");
        }
        return new SpaprTceIommu(type == VFIO_SPAPR_TCE_v2_IOMMU, phb, host.memlock());
    }
}
