package org.jvmm.vfio.iommu;

import org.jvmm.pci.host.IommuGroup;
import org.jvmm.iommu.DmaDomain;

/**
 * An IOMMU model a container runs after VFIO_SET_IOMMU: {@link Type1Iommu} (TYPE1 v1/v2) or
 * {@link SpaprTceIommu} (sPAPR TCE v1/v2); sealed types in an unnamed module must share a
 * package, so both live in this one. Operations every backend has are here; the sPAPR window,
 * pre-registration and EEH operations are on {@link SpaprTceIommu} alone.
 *
 * <p>Every method that mirrors an ioctl fails with {@link org.jvmm.host.ErrnoException} carrying the
 * kernel's errno, and leaves the backend as it was. The container calls them holding its lock;
 * DMA ({@link DmaDomain}) may run concurrently from any thread.
 */
public sealed interface IommuBackend extends DmaDomain permits Type1Iommu, SpaprTceIommu {

    /** The IOMMU type the backend was opened with (VFIO_TYPE1_IOMMU ...). */
    long type();

    /** VFIO_CHECK_EXTENSION with this backend open. */
    int checkExtension(long extension);

    /** Adds a group's devices to the backend's translation (attach_group). */
    void attachGroup(IommuGroup group);

    /** Removes a group (detach_group); when the last group leaves, all mappings go. */
    void detachGroup(IommuGroup group);

    /** VFIO_IOMMU_GET_INFO (VFIO_IOMMU_SPAPR_TCE_GET_INFO has the same number) with the user's argsz. */
    IommuInfo getInfo(int argsz);

    /** VFIO_IOMMU_MAP_DMA. */
    void mapDma(DmaMap map);

    /** VFIO_IOMMU_UNMAP_DMA: the request with {@code size} set to the bytes unmapped. */
    DmaUnmap unmapDma(DmaUnmap unmap);

    /** Container teardown (release): unmaps everything, returns every locked page. */
    void release();
}
