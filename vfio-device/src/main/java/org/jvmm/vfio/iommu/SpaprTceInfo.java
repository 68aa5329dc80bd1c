package org.jvmm.vfio.iommu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct vfio_iommu_spapr_tce_info after VFIO_IOMMU_SPAPR_TCE_GET_INFO: the default 32-bit
 * window, and for a v2 container on a DDW-capable PHB (flag VFIO_IOMMU_SPAPR_INFO_DDW) the
 * dynamic-window block: page sizes, how many windows, how many levels. The kernel copies 16 bytes,
 * or 32 when {@code argsz} covers the DDW block; it does not change argsz.
 */
public record SpaprTceInfo(int argsz, int flags, long dma32WindowStart, long dma32WindowSize, long ddwPgsizes,
        int maxDynamicWindowsSupported, int ddwLevels) implements IommuInfo {

    /** offsetofend(struct vfio_iommu_spapr_tce_info, dma32_window_size). */
    public static final int MIN_SIZE = 16;
    /** offsetofend(struct vfio_iommu_spapr_tce_info, ddw). */
    public static final int DDW_SIZE = 32;

    @Override
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(DDW_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(argsz).putInt(flags).putInt((int) dma32WindowStart).putInt((int) dma32WindowSize);
        out.putLong(ddwPgsizes).putInt(maxDynamicWindowsSupported).putInt(ddwLevels);
        byte[] all = out.array();
        byte[] result = new byte[argsz >= DDW_SIZE ? DDW_SIZE : MIN_SIZE];
        System.arraycopy(all, 0, result, 0, result.length);
        return result;
    }
}
