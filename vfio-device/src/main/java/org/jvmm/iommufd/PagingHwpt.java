package org.jvmm.iommufd;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.HostIommuTlbEntry;
import org.jvmm.iommu.IommuPermission;

/**
 * A kernel-managed HWPT (IOMMUFD_OBJ_HWPT_PAGING): the IOMMU domain filled from an IOAS, so its
 * translation is the IOAS's. Allocated explicitly (IOMMU_HWPT_ALLOC from an IOAS, maybe as a nest
 * parent for user stage-1 tables) or automatically when a device attaches to an IOAS ID (an auto
 * domain, destroyed with its last attachment and never a nest parent).
 */
public final class PagingHwpt extends Hwpt {
    final Ioas ioas;
    final boolean nestParent;
    final boolean auto;

    PagingHwpt(int id, Ioas ioas, boolean nestParent, boolean pasidCapable, boolean auto, FaultQueue fault) {
        super(id, pasidCapable, fault);
        this.ioas = ioas;
        this.nestParent = nestParent;
        this.auto = auto;
    }

    public Ioas ioas() {
        return ioas;
    }

    public boolean nestParent() {
        return nestParent;
    }

    /** True for a HWPT the kernel made when a device attached to an IOAS ID. */
    public boolean isAuto() {
        return auto;
    }

    @Override
    String kind() {
        return "hwpt_paging";
    }

    @Override
    void destroyed() {
        ioas.removeDomain(this);
    }

    @Override
    public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        return ioas.transfer(iova.value(), buffer, toMemory);
    }

    @Override
    public HostIommuTlbEntry translate(Iova iova, AccessKind access) {
        int[] perm = new int[2];
        MemorySegment page = ioas.page(iova.value(), perm);
        IommuPermission p = page == null ? IommuPermission.NONE : IommuPermission.of((perm[0] & 1) != 0, (perm[0] & 2) != 0);
        if (page == null || !p.allows(access)) {
            return HostIommuTlbEntry.miss(iova, Ioas.PAGE_SIZE - 1);
        }
        long pageBase = iova.value() & ~(Ioas.PAGE_SIZE - 1);
        return new HostIommuTlbEntry(new Iova(pageBase), new HostAddress(page.address() - perm[1]), Ioas.PAGE_SIZE - 1, p);
    }
}
