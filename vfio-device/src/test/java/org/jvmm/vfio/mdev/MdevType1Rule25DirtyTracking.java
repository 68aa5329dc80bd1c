package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.testing.Hosts;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.Type1Iommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule A-25 (drivers/vfio/vfio_iommu_type1.c, VFIO_IOMMU_DIRTY_PAGES): "an emulated group counts
 * as "pinned-page scope". While every group in the container is in that scope, the dirty bitmap
 * reports only pages pinned through A-22 and pages written through A-24; once any IOMMU-backed
 * group that never pinned is present, every mapped page is reported dirty."
 */
@DisplayName("TYPE1 with mdevs A-25: dirty pages are the pinned and dma_rw-written ones, all of them once a physical group joins")
class MdevType1Rule25DirtyTracking {
    private static final String U = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1025";
    private static final String TOY = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create";
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    private static final String OP = "VFIO_IOMMU_DIRTY_PAGES";

    private static MdevRig rig() {
        MdevRig rig = new MdevRig();
        rig.bus.registerParent("toy", "toydrv", new ToyVendor(2), List.of(new MdevType("a", null)));
        rig.bus.write(TOY, U);
        return rig;
    }

    @Test
    @DisplayName("A-25: pinned page 1 and dma_rw-written page 3 are dirty (0xa), a read is not; a page still pinned stays dirty")
    void pinnedScope() {
        MdevRig rig = rig();
        MdevDevice m = rig.bus.device(U);
        HostMapping ram = rig.memory.allocate("ram", 0x8000);
        try (MdevRig.Opened o = rig.open(U)) {
            Type1Iommu t = (Type1Iommu) o.container().backend();
            o.container().mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x8000));
            assertErrno(Errno.EINVAL, OP, () -> t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 4096));
            m.pinPages(Iova.of(0x100000), 1, IommuPermission.READ); // pinned before START: marked at START
            t.dirtyPagesStart();
            assertTrue(t.dirtyTracking());
            m.pinPages(Iova.of(0x101000), 1, IommuPermission.READ);
            m.dmaRw(Iova.of(0x103010), MemorySegment.ofArray(new byte[16]), true);
            m.dmaRw(Iova.of(0x105000), MemorySegment.ofArray(new byte[16]), false);
            assertArrayEquals(new long[] {0b1011}, t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 4096));
            assertArrayEquals(new long[] {0b0011}, t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 4096),
                    "the written page is reported once; the pinned pages again");
            m.unpinPages(Iova.of(0x100000), 1);
            m.unpinPages(Iova.of(0x101000), 1);
            assertArrayEquals(new long[] {0b0011}, t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 4096),
                    "marked when the last report re-populated them");
            assertArrayEquals(new long[] {0}, t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 4096));
            assertErrno(Errno.EINVAL, OP, () -> t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 8192));
            assertErrno(Errno.EINVAL, OP, () -> t.dirtyPagesGetBitmap(Iova.of(0x101000), 0x1000, 4096));
            assertErrno(Errno.EINVAL, OP, () -> t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x4000, 4096));
            assertErrno(Errno.EINVAL, OP, () -> t.dirtyPagesGetBitmap(Iova.of(0x100000), 0, 4096));
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_UNMAP_DMA", () -> o.container().unmapDma(
                    new DmaUnmap(VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, Iova.of(0x100000), 0x8000)));
            t.dirtyPagesStop();
            assertFalse(t.dirtyTracking());
            assertErrno(Errno.EINVAL, OP, () -> t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 4096));
        } finally {
            ram.close();
        }
    }

    @Test
    @DisplayName("A-25: with an IOMMU-backed group in the container every mapped page is dirty; an unmapped hole is not")
    void physicalGroupMakesEverythingDirty() {
        MdevRig rig = rig();
        rig.seed.platform().unbind(Hosts.EDU);
        rig.seed.platform().newId("vfio-pci", 0x1234, 0x11e8);
        HostMapping ram = rig.memory.allocate("ram", 0x8000);
        try (MdevRig.Opened o = rig.open(U)) {
            Type1Iommu t = (Type1Iommu) o.container().backend();
            o.container().mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x4000));
            o.container().mapDma(new DmaMap(RW, ram.address().plus(0x6000), Iova.of(0x106000), 0x2000));
            try (VfioGroup edu = VfioGroup.open(rig.vfio, rig.seed.platform().iommuGroupOf(Hosts.EDU))) {
                edu.setContainer(o.container());
                t.dirtyPagesStart();
                assertArrayEquals(new long[] {0b1100_1111}, t.dirtyPagesGetBitmap(Iova.of(0x100000), 0x8000, 4096));
                t.dirtyPagesStop();
                edu.unsetContainer();
            }
        } finally {
            ram.close();
        }
    }
}
