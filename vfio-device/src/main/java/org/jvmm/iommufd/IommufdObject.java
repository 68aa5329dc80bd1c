package org.jvmm.iommufd;

/**
 * An object in an iommufd's table (struct iommufd_object): an IOAS, a HWPT, a fault queue or a
 * bound device, named by an ID from 1 up (0 is IOMMUFD_INVALID_ID). IOMMU_DESTROY removes one
 * that nothing uses (EBUSY otherwise).
 */
public abstract sealed class IommufdObject permits Ioas, Hwpt, FaultQueue, IommufdDevice {
    private final int id;

    IommufdObject(int id) {
        this.id = id;
    }

    /** The object ID user space names it by. */
    public final int id() {
        return id;
    }

    /** The object type as iommufd names it (ioas, hwpt_paging, hwpt_nested, fault, device). */
    abstract String kind();

    /** Why IOMMU_DESTROY must refuse the object now, or null when nothing uses it. Caller holds the context lock. */
    abstract String busyReason();

    /** Frees what the object holds once it is removed from the table. Caller holds the context lock. */
    void destroyed() {
    }

    @Override
    public String toString() {
        return kind() + " " + id;
    }
}
