package org.jvmm.devices.medu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.devices.medu.MeduRig.IOVA;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.DmaUnmapListener;
import org.jvmm.vfio.uapi.VfioUapi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * medu and TYPE1's dma_unmap notifier (A-27 to A-29; seed 003's "the user is free to remap at any
 * time"): the vendor hears of the whole mapping before the unmap completes, drops its pins, and
 * its next DMA to the old IOVA faults; a vendor that forgets to unpin trips the fatal case.
 */
@DisplayName("medu A-27..A-29: the notifier drops medu's pins before UNMAP_DMA completes; forgetting to unpin is fatal")
class MeduUnmapNotifierDropsPins {

    /** "call dma_unmap(dev, mapping_iova, mapping_size) on every device registered in the container ... with the whole mapping's bounds ... then restart the walk"; A-29: "Notification precedes removal". */
    @Test
    @DisplayName("A-27, A-29: dma_unmap(0x100000, 0x10000) reaches the vendors while the mapping exists; then it is removed")
    void notifierBeforeUnmapCompletes() {
        try (MeduRig r = new MeduRig("medu-pin")) {
            r.map();
            r.dma(IOVA + 0x2000, 0, 16, false, false);
            assertEquals(1, r.medu.pinnedPages());
            DmaUnmapListener observer = mock(DmaUnmapListener.class);
            Runnable unmapReturned = mock(Runnable.class);
            List<String> seen = new ArrayList<>();
            doAnswer(inv -> {
                seen.add("mappings=" + r.type1().mappingCount() + " medu-pins=" + r.medu.pinnedPages());
                return null;
            }).when(observer).dmaUnmap(any(Iova.class), anyLong());
            AutoCloseable reg = r.type1().registerDevice(observer);
            DmaUnmap done = r.opened.container().unmapDma(new DmaUnmap(0, Iova.of(IOVA), MeduRig.RAM));
            unmapReturned.run();
            InOrder order = inOrder(observer, unmapReturned);
            order.verify(observer, times(1)).dmaUnmap(Iova.of(IOVA), MeduRig.RAM);
            order.verify(unmapReturned).run();
            assertEquals(1, seen.size());
            assertTrue(seen.get(0).startsWith("mappings=1 "), "the mapping still exists while the vendors are told: " + seen);
            assertEquals(MeduRig.RAM, done.size());
            assertEquals(0, r.medu.pinnedPages());
            assertEquals(1, r.medu.notifications());
            assertEquals(0, r.rig.memlock.lockedBytes());
            assertEquals(1, r.type1().mdevCounters().notificationRounds());
            close(reg);
        }
    }

    /** A.12: "the VMM removes and re-adds RAM ... so the notifier fires and the pins go; the next DMA to the old IOVA faults"; then a remap at a new IOVA works. */
    @Test
    @DisplayName("after the unmap the next DMA to the old IOVA faults (EINVAL, nothing moved); the re-added RAM at a new IOVA works")
    void nextDmaToOldIovaFaults() {
        try (MeduRig r = new MeduRig("medu-pin")) {
            r.map();
            r.dma(IOVA, 0, 16, false, false);
            r.opened.container().unmapDma(new DmaUnmap(0, Iova.of(IOVA), MeduRig.RAM));
            long moved = r.medu.edu().dmaBytesMoved();
            r.dma(IOVA, 0, 16, true, false);
            assertEquals(1, r.medu.dmaFaults());
            assertEquals(Errno.EINVAL, r.medu.lastDmaError().errno());
            assertEquals(moved, r.medu.edu().dmaBytesMoved());
            r.opened.container().mapDma(new DmaMap(VfioUapi.VFIO_DMA_MAP_FLAG_READ | VfioUapi.VFIO_DMA_MAP_FLAG_WRITE,
                    r.ram.address(), Iova.of(0x400000), MeduRig.RAM));
            r.ram().set(ValueLayout.JAVA_INT_UNALIGNED, 0x100, 0xcafe);
            r.dma(0x400100, 0, 4, false, false);
            r.dma(0x400200, 0, 4, true, false);
            assertEquals(0xcafe, r.ram().get(ValueLayout.JAVA_INT_UNALIGNED, 0x200));
            assertEquals(1, r.medu.pinnedPages(), "the page at 0x400000, pinned READ then again for WRITE: one entry");
            assertEquals(2, r.type1().externallyPinnedPages(), "two pins held on it");
        }
    }

    /** "If the same mapping still has pins after 10 notifications in a row, the kernel crashes on a BUG() ... a model should fail loudly (an assertion error naming the device and IOVA)". */
    @Test
    @DisplayName("A-28: a medu that forgets to unpin gets 11 notifications, then TYPE1 fails naming the range; the mapping stays")
    void forgetUnpinIsFatal() {
        try (MeduRig r = new MeduRig("medu-pin", new MeduDriver.Options(4, true), 64L << 20)) {
            r.map();
            r.dma(IOVA + 0x1000, 0, 16, false, false);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> r.opened.container().unmapDma(new DmaUnmap(0, Iova.of(IOVA), MeduRig.RAM)));
            assertTrue(e.getMessage().contains("BUG") && e.getMessage().contains("0x101000"), e.getMessage());
            assertEquals(11, r.medu.notifications());
            assertEquals(11, r.type1().mdevCounters().notificationRounds());
            assertEquals(1, r.type1().mappingCount());
            assertEquals(1, r.medu.pinnedPages());
        }
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
