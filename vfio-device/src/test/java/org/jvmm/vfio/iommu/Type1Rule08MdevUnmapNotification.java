package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.testing.Type1Rig;
import org.jvmm.iommu.IommuPermission;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 8 (Linux drivers/vfio/vfio_iommu_type1.c): If a mediated device has pinned pages inside the
 * range, the device's dma_unmap notification runs first (it must unpin), then the unmap proceeds.
 */
@DisplayName("TYPE1 rule 8: pages an mdev pinned in the range are notified (dma_unmap) first, then the unmap proceeds")
class Type1Rule08MdevUnmapNotification {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void vendorDriverIsNotifiedAndUnpinsBeforeTheUnmap() throws Exception {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            Type1Iommu t = rig.iommu();
            rig.container.mapDma(new DmaMap(RW, rig.ram.address(), Iova.of(0x10000), 0x4000));
            List<String> events = new ArrayList<>();
            try (AutoCloseable reg = t.registerDevice((iova, size) -> {
                events.add("notify " + iova + "+" + Long.toHexString(size) + " pinned=" + t.externallyPinnedPages()
                        + " mapped=" + t.mappingCount());
                t.unpinPages(Iova.of(0x11000), 2);
            })) {
                t.pinPages(Iova.of(0x11000), 2, IommuPermission.READ_WRITE);
                assertEquals(2, t.externallyPinnedPages());
                DmaUnmap r = rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0x4000));
                assertEquals(0x4000, r.size());
                assertEquals(List.of("notify 0x10000+4000 pinned=2 mapped=1"), events);
                assertEquals(0, t.mappingCount());
                assertEquals(0, t.externallyPinnedPages());
            }
        }
    }

    /**
     * vfio_iommu_type1.c vfio_dma_do_unmap: the same mapping is notified again while it has pins;
     * the check before the 12th notification is {@code BUG_ON(++retries > 10)}.
     */
    @Test
    void aVendorDriverThatKeepsPagesPinnedIsAnErrorAfterElevenNotifications() throws Exception {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            Type1Iommu t = rig.iommu();
            rig.container.mapDma(new DmaMap(RW, rig.ram.address(), Iova.of(0x10000), 0x4000));
            int[] calls = {0};
            try (AutoCloseable reg = t.registerDevice((iova, size) -> calls[0]++)) {
                t.pinPages(Iova.of(0x10000), 1, IommuPermission.READ);
                assertThrows(IllegalStateException.class, () -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0x4000)));
                assertEquals(11, calls[0]);
                assertEquals(1, t.mappingCount());
                t.unpinPages(Iova.of(0x10000), 1);
            }
        }
    }
}
