package org.jvmm.iommufd;

/**
 * Numbers from Linux include/uapi/linux/iommufd.h and the iommufd parts of
 * include/uapi/linux/vfio.h: ioctl request codes ({@code _IO(';', nr)}), flags, data types and
 * struct sizes. Tests pin them ({@code IOMMU_IOAS_MAP == 0x3B85}). The struct layouts themselves
 * are in {@link IommufdStructs}.
 */
public final class IommufdUapi {
    private IommufdUapi() {
    }

    // /dev/iommu ioctls (IOMMUFD_CMD_BASE = 0x80)
    public static final int IOMMU_DESTROY = 0x3B80; // _IO(';', 0x80)
    public static final int IOMMU_IOAS_ALLOC = 0x3B81; // _IO(';', 0x81)
    public static final int IOMMU_IOAS_ALLOW_IOVAS = 0x3B82; // _IO(';', 0x82)
    public static final int IOMMU_IOAS_COPY = 0x3B83; // _IO(';', 0x83)
    public static final int IOMMU_IOAS_IOVA_RANGES = 0x3B84; // _IO(';', 0x84)
    public static final int IOMMU_IOAS_MAP = 0x3B85; // _IO(';', 0x85)
    public static final int IOMMU_IOAS_UNMAP = 0x3B86; // _IO(';', 0x86)
    public static final int IOMMU_OPTION = 0x3B87; // _IO(';', 0x87)
    public static final int IOMMU_VFIO_IOAS = 0x3B88; // _IO(';', 0x88)
    public static final int IOMMU_HWPT_ALLOC = 0x3B89; // _IO(';', 0x89)
    public static final int IOMMU_GET_HW_INFO = 0x3B8A; // _IO(';', 0x8a)
    public static final int IOMMU_HWPT_SET_DIRTY_TRACKING = 0x3B8B; // _IO(';', 0x8b)
    public static final int IOMMU_HWPT_GET_DIRTY_BITMAP = 0x3B8C; // _IO(';', 0x8c)
    public static final int IOMMU_HWPT_INVALIDATE = 0x3B8D; // _IO(';', 0x8d)
    public static final int IOMMU_FAULT_QUEUE_ALLOC = 0x3B8E; // _IO(';', 0x8e)

    // VFIO device cdev ioctls (VFIO_BASE = 100)
    public static final int VFIO_DEVICE_BIND_IOMMUFD = 0x3B76; // _IO(';', 100 + 18)
    public static final int VFIO_DEVICE_ATTACH_IOMMUFD_PT = 0x3B77; // _IO(';', 100 + 19)
    public static final int VFIO_DEVICE_DETACH_IOMMUFD_PT = 0x3B78; // _IO(';', 100 + 20)
    public static final int VFIO_DEVICE_ATTACH_PASID = 1 << 0;
    public static final int VFIO_DEVICE_DETACH_PASID = 1 << 0;

    // IOAS map/copy flags
    public static final int IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0;
    public static final int IOMMU_IOAS_MAP_WRITEABLE = 1 << 1;
    public static final int IOMMU_IOAS_MAP_READABLE = 1 << 2;

    // HWPT alloc
    public static final int IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0;
    public static final int IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1;
    public static final int IOMMU_HWPT_FAULT_ID_VALID = 1 << 2;
    public static final int IOMMU_HWPT_ALLOC_PASID = 1 << 3;
    public static final int IOMMU_HWPT_DATA_NONE = 0;
    public static final int IOMMU_HWPT_DATA_VTD_S1 = 1;
    public static final int IOMMU_VTD_S1_SRE = 1 << 0;
    public static final int IOMMU_VTD_S1_EAFE = 1 << 1;
    public static final int IOMMU_VTD_S1_WPE = 1 << 2;

    // HW info
    public static final int IOMMU_HW_INFO_TYPE_NONE = 0;
    public static final int IOMMU_HW_INFO_TYPE_INTEL_VTD = 1;
    public static final long IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0;
    public static final long IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1;
    public static final long IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2;
    public static final int IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0;

    // invalidation
    public static final int IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0;
    public static final int IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0;

    // fault records
    public static final int IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0;
    public static final int IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1;
    public static final int IOMMU_PGFAULT_PERM_READ = 1 << 0;
    public static final int IOMMU_PGFAULT_PERM_WRITE = 1 << 1;
    public static final int IOMMU_PGFAULT_PERM_EXEC = 1 << 2;
    public static final int IOMMU_PGFAULT_PERM_PRIV = 1 << 3;
    public static final int IOMMUFD_PAGE_RESP_SUCCESS = 0;
    public static final int IOMMUFD_PAGE_RESP_INVALID = 1;

    /** IOMMU_NO_PASID: the PASID of DMA without a PASID prefix; never attachable as a PASID. */
    public static final int IOMMU_NO_PASID = 0;

    /** Hex with a 0x prefix, for error details. */
    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
