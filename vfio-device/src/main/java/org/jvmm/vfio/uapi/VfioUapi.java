package org.jvmm.vfio.uapi;

/**
 * Numbers from Linux include/uapi/linux/vfio.h: ioctl request codes, IOMMU types and extensions,
 * and flag bits. The ioctls are {@code _IO(';', 100 + n)}; tests pin them
 * ({@code VFIO_GET_API_VERSION == 15204}).
 */
public final class VfioUapi {
    private VfioUapi() {
    }

    public static final int VFIO_API_VERSION = 0;

    private static final int VFIO_TYPE = ';';
    private static final int VFIO_BASE = 100;

    private static int io(int nr) {
        return VFIO_TYPE << 8 | (VFIO_BASE + nr);
    }

    public static final int VFIO_GET_API_VERSION = io(0);
    public static final int VFIO_CHECK_EXTENSION = io(1);
    public static final int VFIO_SET_IOMMU = io(2);
    public static final int VFIO_GROUP_GET_STATUS = io(3);
    public static final int VFIO_GROUP_SET_CONTAINER = io(4);
    public static final int VFIO_GROUP_UNSET_CONTAINER = io(5);
    public static final int VFIO_GROUP_GET_DEVICE_FD = io(6);
    public static final int VFIO_DEVICE_GET_INFO = io(7);
    public static final int VFIO_DEVICE_GET_REGION_INFO = io(8);
    public static final int VFIO_DEVICE_GET_IRQ_INFO = io(9);
    public static final int VFIO_DEVICE_SET_IRQS = io(10);
    public static final int VFIO_DEVICE_RESET = io(11);
    public static final int VFIO_IOMMU_GET_INFO = io(12);
    public static final int VFIO_IOMMU_MAP_DMA = io(13);
    public static final int VFIO_IOMMU_UNMAP_DMA = io(14);
    public static final int VFIO_IOMMU_ENABLE = io(15);
    public static final int VFIO_IOMMU_DISABLE = io(16);

    // sPAPR TCE (VFIO_IOMMU_SPAPR_TCE_GET_INFO shares VFIO_IOMMU_GET_INFO's number)
    public static final int VFIO_IOMMU_SPAPR_TCE_GET_INFO = io(12);
    public static final int VFIO_IOMMU_SPAPR_REGISTER_MEMORY = io(17);
    public static final int VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY = io(18);
    public static final int VFIO_IOMMU_SPAPR_TCE_CREATE = io(19);
    public static final int VFIO_IOMMU_SPAPR_TCE_REMOVE = io(20);
    public static final int VFIO_EEH_PE_OP = io(21);
    public static final int VFIO_IOMMU_SPAPR_INFO_DDW = 1 << 0;

    // VFIO_EEH_PE_OP operations and the states GET_STATE returns
    public static final int VFIO_EEH_PE_DISABLE = 0;
    public static final int VFIO_EEH_PE_ENABLE = 1;
    public static final int VFIO_EEH_PE_UNFREEZE_IO = 2;
    public static final int VFIO_EEH_PE_UNFREEZE_DMA = 3;
    public static final int VFIO_EEH_PE_GET_STATE = 4;
    public static final int VFIO_EEH_PE_STATE_NORMAL = 0;
    public static final int VFIO_EEH_PE_STATE_RESET = 1;
    public static final int VFIO_EEH_PE_STATE_STOPPED = 2;
    public static final int VFIO_EEH_PE_STATE_STOPPED_DMA = 4;
    public static final int VFIO_EEH_PE_STATE_UNAVAIL = 5;
    public static final int VFIO_EEH_PE_RESET_DEACTIVATE = 5;
    public static final int VFIO_EEH_PE_RESET_HOT = 6;
    public static final int VFIO_EEH_PE_RESET_FUNDAMENTAL = 7;
    public static final int VFIO_EEH_PE_CONFIGURE = 8;
    public static final int VFIO_EEH_PE_INJECT_ERR = 9;

    // IOMMU types and extensions (VFIO_CHECK_EXTENSION / VFIO_SET_IOMMU)
    public static final int VFIO_TYPE1_IOMMU = 1;
    public static final int VFIO_SPAPR_TCE_IOMMU = 2;
    public static final int VFIO_TYPE1v2_IOMMU = 3;
    public static final int VFIO_DMA_CC_IOMMU = 4;
    public static final int VFIO_EEH = 5;
    public static final int VFIO_TYPE1_NESTING_IOMMU = 6;
    public static final int VFIO_SPAPR_TCE_v2_IOMMU = 7;
    public static final int VFIO_NOIOMMU_IOMMU = 8;
    public static final int VFIO_UNMAP_ALL = 9;
    public static final int VFIO_UPDATE_VADDR = 10;

    // group status
    public static final int VFIO_GROUP_FLAGS_VIABLE = 1 << 0;
    public static final int VFIO_GROUP_FLAGS_CONTAINER_SET = 1 << 1;

    // device info
    public static final int VFIO_DEVICE_FLAGS_RESET = 1 << 0;
    public static final int VFIO_DEVICE_FLAGS_PCI = 1 << 1;
    public static final int VFIO_DEVICE_FLAGS_CAPS = 1 << 7;

    // region info
    public static final int VFIO_REGION_INFO_FLAG_READ = 1 << 0;
    public static final int VFIO_REGION_INFO_FLAG_WRITE = 1 << 1;
    public static final int VFIO_REGION_INFO_FLAG_MMAP = 1 << 2;
    public static final int VFIO_REGION_INFO_FLAG_CAPS = 1 << 3;
    public static final int VFIO_REGION_INFO_CAP_SPARSE_MMAP = 1;

    // vfio-pci region and irq indexes
    public static final int VFIO_PCI_BAR0_REGION_INDEX = 0;
    public static final int VFIO_PCI_BAR5_REGION_INDEX = 5;
    public static final int VFIO_PCI_ROM_REGION_INDEX = 6;
    public static final int VFIO_PCI_CONFIG_REGION_INDEX = 7;
    public static final int VFIO_PCI_VGA_REGION_INDEX = 8;
    public static final int VFIO_PCI_NUM_REGIONS = 9;
    public static final int VFIO_PCI_INTX_IRQ_INDEX = 0;
    public static final int VFIO_PCI_MSI_IRQ_INDEX = 1;
    public static final int VFIO_PCI_MSIX_IRQ_INDEX = 2;
    public static final int VFIO_PCI_ERR_IRQ_INDEX = 3;
    public static final int VFIO_PCI_REQ_IRQ_INDEX = 4;
    public static final int VFIO_PCI_NUM_IRQS = 5;

    /** vfio-pci puts region {@code index} at file offset {@code index << 40}. */
    public static final int VFIO_PCI_OFFSET_SHIFT = 40;

    // irq info
    public static final int VFIO_IRQ_INFO_EVENTFD = 1 << 0;
    public static final int VFIO_IRQ_INFO_MASKABLE = 1 << 1;
    public static final int VFIO_IRQ_INFO_AUTOMASKED = 1 << 2;
    public static final int VFIO_IRQ_INFO_NORESIZE = 1 << 3;

    // set irqs
    public static final int VFIO_IRQ_SET_DATA_NONE = 1 << 0;
    public static final int VFIO_IRQ_SET_DATA_BOOL = 1 << 1;
    public static final int VFIO_IRQ_SET_DATA_EVENTFD = 1 << 2;
    public static final int VFIO_IRQ_SET_ACTION_MASK = 1 << 3;
    public static final int VFIO_IRQ_SET_ACTION_UNMASK = 1 << 4;
    public static final int VFIO_IRQ_SET_ACTION_TRIGGER = 1 << 5;
    public static final int VFIO_IRQ_SET_DATA_TYPE_MASK = 0x7;
    public static final int VFIO_IRQ_SET_ACTION_TYPE_MASK = 0x38;

    // TYPE1 MAP/UNMAP and GET_INFO
    public static final int VFIO_DMA_MAP_FLAG_READ = 1 << 0;
    public static final int VFIO_DMA_MAP_FLAG_WRITE = 1 << 1;
    public static final int VFIO_DMA_MAP_FLAG_VADDR = 1 << 2;
    public static final int VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP = 1 << 0;
    public static final int VFIO_DMA_UNMAP_FLAG_ALL = 1 << 1;
    public static final int VFIO_DMA_UNMAP_FLAG_VADDR = 1 << 2;
    public static final int VFIO_IOMMU_INFO_PGSIZES = 1 << 0;
    public static final int VFIO_IOMMU_INFO_CAPS = 1 << 1;
    public static final int VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE = 1;
    public static final int VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION = 2;
    public static final int VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL = 3;

    // graphics (A.7): VFIO_DEVICE_QUERY_GFX_PLANE, VFIO_DEVICE_GET_GFX_DMABUF, the EDID region
    public static final int VFIO_DEVICE_QUERY_GFX_PLANE = io(14);
    public static final int VFIO_DEVICE_GET_GFX_DMABUF = io(15);
    public static final int VFIO_GFX_PLANE_TYPE_PROBE = 1 << 0;
    public static final int VFIO_GFX_PLANE_TYPE_DMABUF = 1 << 1;
    public static final int VFIO_GFX_PLANE_TYPE_REGION = 1 << 2;
    public static final int VFIO_REGION_INFO_CAP_TYPE = 2;
    public static final int VFIO_REGION_TYPE_GFX = 1;
    public static final int VFIO_REGION_SUBTYPE_GFX_EDID = 1;
    public static final int VFIO_DEVICE_GFX_LINK_STATE_UP = 1;
    public static final int VFIO_DEVICE_GFX_LINK_STATE_DOWN = 2;
    /** drm_plane_type (include/drm/drm_plane.h numbering used by the uAPI): the primary plane. */
    public static final int DRM_PLANE_TYPE_PRIMARY = 1;
    public static final int DRM_PLANE_TYPE_CURSOR = 2;
    /** DRM_FORMAT_XRGB8888, fourcc "XR24" (include/uapi/drm/drm_fourcc.h). */
    public static final int DRM_FORMAT_XRGB8888 = 0x34325258;

    // VFIO_DEVICE_FEATURE and migration: struct vfio_device_feature, the feature numbers,
    // struct vfio_device_feature_migration flags, enum vfio_device_mig_state, the data fd's ioctl
    public static final int VFIO_DEVICE_FEATURE = io(17);
    public static final int VFIO_MIG_GET_PRECOPY_INFO = io(21);
    public static final int VFIO_DEVICE_FEATURE_MASK = 0xffff;
    public static final int VFIO_DEVICE_FEATURE_GET = 1 << 16;
    public static final int VFIO_DEVICE_FEATURE_SET = 1 << 17;
    public static final int VFIO_DEVICE_FEATURE_PROBE = 1 << 18;
    public static final int VFIO_DEVICE_FEATURE_PCI_VF_TOKEN = 0;
    public static final int VFIO_DEVICE_FEATURE_MIGRATION = 1;
    public static final int VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE = 2;
    public static final int VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY = 3;
    public static final int VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP = 4;
    public static final int VFIO_DEVICE_FEATURE_LOW_POWER_EXIT = 5;
    public static final int VFIO_DEVICE_FEATURE_DMA_LOGGING_START = 6;
    public static final int VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP = 7;
    public static final int VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT = 8;
    public static final int VFIO_DEVICE_FEATURE_MIG_DATA_SIZE = 9;
    public static final int VFIO_DEVICE_FEATURE_BUS_MASTER = 10;
    public static final long VFIO_MIGRATION_STOP_COPY = 1 << 0;
    public static final long VFIO_MIGRATION_P2P = 1 << 1;
    public static final long VFIO_MIGRATION_PRE_COPY = 1 << 2;
    public static final int VFIO_DEVICE_STATE_ERROR = 0;
    public static final int VFIO_DEVICE_STATE_STOP = 1;
    public static final int VFIO_DEVICE_STATE_RUNNING = 2;
    public static final int VFIO_DEVICE_STATE_STOP_COPY = 3;
    public static final int VFIO_DEVICE_STATE_RESUMING = 4;
    public static final int VFIO_DEVICE_STATE_RUNNING_P2P = 5;
    public static final int VFIO_DEVICE_STATE_PRE_COPY = 6;
    public static final int VFIO_DEVICE_STATE_PRE_COPY_P2P = 7;
    /** VFIO_DEVICE_STATE_NR: the number of states. */
    public static final int VFIO_DEVICE_STATE_NR = 8;

    /** Hex with a 0x prefix, for error details. */
    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
