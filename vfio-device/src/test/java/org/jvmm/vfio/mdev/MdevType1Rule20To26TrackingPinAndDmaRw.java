package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.testing.Hosts;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.Type1Iommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules and A-26 (drivers/vfio/vfio_iommu_type1.c, vfio_main.c, container.c). */
@DisplayName("TYPE1 with mdevs A-20..A-26: tracking without pinning, vfio_pin_pages/unpin_pages, vfio_dma_rw, UPDATE_VADDR")
class MdevType1Rule20To26TrackingPinAndDmaRw {
    private static final String U = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    private static final String TOY = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create";
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    private static ToyVendor toy(MdevRig rig) {
        ToyVendor v = new ToyVendor(4);
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        rig.bus.write(TOY, U);
        return v;
    }

    /** "When a TYPE1 container has no IOMMU-backed group (only mdev groups), MAP_DMA validates as usual ... and records iova→vaddr and permissions, but pins nothing and charges nothing to RLIMIT_MEMLOCK." */
    @Test
    @DisplayName("A-20: with only mdev groups MAP_DMA records the mapping, pins and charges nothing (an unbacked vaddr is accepted)")
    void mdevOnlyContainerTracksWithoutPinning() {
        MdevRig rig = new MdevRig(1 << 20);
        toy(rig);
        HostMapping ram = rig.memory.allocate("ram", 4 << 20);
        try (MdevRig.Opened o = rig.open(U)) {
            o.container().mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 4 << 20)); // 4 MiB > the 1 MiB limit
            o.container().mapDma(new DmaMap(RW, new HostAddress(0x7f0000000000L), Iova.of(0x1000000), 0x10000));
            assertEquals(0, rig.memlock.lockedBytes());
            assertEquals(2, ((Type1Iommu) o.container().backend()).mappingCount());
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_MAP_DMA", () -> o.container().mapDma(new DmaMap(RW, ram.address(),
                    Iova.of(0x100800), 0x1000)));
            assertErrno(Errno.EEXIST, "VFIO_IOMMU_MAP_DMA", () -> o.container().mapDma(new DmaMap(RW, ram.address(),
                    Iova.of(0x200000), 0x1000)));
        } finally {
            ram.close();
        }
    }

    /** "pages non-null, npage non-zero and the device open, else EINVAL; the device has a dma_unmap callback, else EINVAL; npage at most 512 ... else E2BIG; ... then TYPE1: v1 container EACCES". */
    @Test
    @DisplayName("A-21: npage 0 or a closed device EINVAL, no dma_unmap EINVAL, over 512 E2BIG, TYPE1 v1 EACCES")
    void pinPagesDeviceChecksInOrder() {
        MdevRig rig = new MdevRig();
        ToyVendor v = toy(rig);
        MdevDevice m = rig.bus.device(U);
        String op = "vfio_pin_pages";
        assertErrno(Errno.EINVAL, op, () -> m.pinPages(Iova.of(0), 1, IommuPermission.READ)); // not open
        try (MdevRig.Opened o = rig.open(U)) {
            assertErrno(Errno.EINVAL, op, () -> m.pinPages(Iova.of(0), 0, IommuPermission.READ));
            assertErrno(Errno.E2BIG, op, () -> m.pinPages(Iova.of(0), 513, IommuPermission.READ));
            v.withDmaUnmap = false;
            assertErrno(Errno.EINVAL, op, () -> m.pinPages(Iova.of(0), 513, IommuPermission.READ)); // before E2BIG
        }
        v.withDmaUnmap = true;
        try (MdevRig.Opened o = rig.open(U, VFIO_TYPE1_IOMMU)) {
            assertErrno(Errno.EACCES, op, () -> m.pinPages(Iova.of(0), 1, IommuPermission.READ));
            m.unpinPages(Iova.of(0), 1); // a warning and no-op on v1
            assertEquals(List.of("WARN vfio_unpin_pages: TYPE1 v1 container, iova 0x0"),
                    ((Type1Iommu) o.container().backend()).warnings());
        }
    }

    /** "no mapping covering it EINVAL; the mapping's permissions lack any bit of prot EPERM; the page already pinned ...: its pin count goes up and the same host page is returned; ... charging it would exceed RLIMIT_MEMLOCK ENOMEM ... all or nothing. Success returns npage." A-23: "a page reaching zero is unpinned and uncharged. It stops silently at the first page with no mapping (kernel warning)." */
    @Test
    @DisplayName("A-22/A-23: per-page EINVAL/EPERM/EFAULT, repeat pins share the page, locked memory is charged at pin time and given back at the last unpin")
    void pinChargesLazilyAllOrNothing() {
        MdevRig rig = new MdevRig(3 * 4096);
        toy(rig);
        MdevDevice m = rig.bus.device(U);
        HostMapping ram = rig.memory.allocate("ram", 1 << 20);
        try (MdevRig.Opened o = rig.open(U)) {
            Type1Iommu t = (Type1Iommu) o.container().backend();
            o.container().mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x10000));
            o.container().mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address().plus(0x10000), Iova.of(0x200000), 0x10000));
            o.container().mapDma(new DmaMap(RW, new HostAddress(0x7f0000000000L), Iova.of(0x300000), 0x1000));
            String op = "vfio_pin_pages";
            assertErrno(Errno.EINVAL, op, () -> m.pinPages(Iova.of(0x10f000), 2, IommuPermission.READ)); // 2nd page unmapped
            assertErrno(Errno.EPERM, op, () -> m.pinPages(Iova.of(0x200000), 1, IommuPermission.READ_WRITE));
            assertErrno(Errno.EFAULT, op, () -> m.pinPages(Iova.of(0x300000), 1, IommuPermission.READ));
            assertEquals(0, t.externallyPinnedPages());
            assertEquals(0, rig.memlock.lockedBytes());

            assertEquals(List.of(ram.address(), ram.address().plus(0x1000)), m.pinPages(Iova.of(0x100000), 2, IommuPermission.READ_WRITE));
            assertEquals(2 * 4096, rig.memlock.lockedBytes());
            assertEquals(List.of(ram.address().plus(0x1000)), m.pinPages(Iova.of(0x101000), 1, IommuPermission.READ));
            assertEquals(3, t.externallyPinnedPages());
            assertEquals(2 * 4096, rig.memlock.lockedBytes()); // a repeat pin charges nothing
            assertErrno(Errno.ENOMEM, op, () -> m.pinPages(Iova.of(0x104000), 2, IommuPermission.READ)); // 4 pages > 3
            assertEquals(3, t.externallyPinnedPages());
            assertEquals(2 * 4096, rig.memlock.lockedBytes());

            m.unpinPages(Iova.of(0x101000), 1);
            assertEquals(2 * 4096, rig.memlock.lockedBytes()); // still pinned once
            m.unpinPages(Iova.of(0x100000), 2);
            assertEquals(0, rig.memlock.lockedBytes());
            assertEquals(0, t.externallyPinnedPages());
            m.pinPages(Iova.of(0x10f000), 1, IommuPermission.READ);
            m.unpinPages(Iova.of(0x10f000), 2); // the page after is unmapped: stops there with a warning
            assertEquals(List.of("WARN vfio_unpin_pages: iova 0x110000 is not mapped"), t.warnings());
            assertEquals(0, rig.memlock.lockedBytes());
            assertEquals(new Type1Iommu.MdevCounters(3, 3, 0), t.mdevCounters());
        } finally {
            ram.close();
        }
    }

    /** "charged only when no IOMMU-backed domain exists, since a domain already pinned and charged it"; vfio_iommu_replay pins existing mappings when the first physical group arrives. */
    @Test
    @DisplayName("A-22: with a physical group in the container MAP charges the whole mapping and pins charge nothing more; it is charged when that group arrives")
    void aDomainPinsAtMapAndPinsChargeNothingMore() {
        MdevRig rig = new MdevRig();
        toy(rig);
        rig.seed.platform().unbind(Hosts.EDU);
        rig.seed.platform().newId("vfio-pci", 0x1234, 0x11e8);
        MdevDevice m = rig.bus.device(U);
        HostMapping ram = rig.memory.allocate("ram", 1 << 16);
        try (MdevRig.Opened o = rig.open(U)) {
            o.container().mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x10000));
            m.pinPages(Iova.of(0x100000), 1, IommuPermission.READ);
            assertEquals(4096, rig.memlock.lockedBytes());
            VfioGroup edu = VfioGroup.open(rig.vfio, rig.seed.platform().iommuGroupOf(Hosts.EDU));
            edu.setContainer(o.container());
            assertEquals(0x10000, rig.memlock.lockedBytes()); // replay: the whole mapping, the pinned page once
            m.pinPages(Iova.of(0x101000), 1, IommuPermission.READ);
            assertEquals(0x10000, rig.memlock.lockedBytes());
            edu.close(); // the last domain goes: only the two pinned pages stay charged
            assertEquals(2 * 4096, rig.memlock.lockedBytes());
        } finally {
            ram.close();
        }
        assertEquals(0, rig.memlock.lockedBytes());
    }

    /** "copies ... chunk by chunk across adjacent mappings. EINVAL for a null buffer, zero length or a closed device; EINVAL when a chunk's IOVA has no mapping (earlier chunks stay copied); EPERM when a write hits a mapping without WRITE or any access hits a mapping without READ (a write-only mapping cannot be written this way)". */
    @Test
    @DisplayName("A-24: vfio_dma_rw copies across adjacent mappings without pinning; READ is needed even to write")
    void dmaRwCopiesAndNeedsRead() {
        MdevRig rig = new MdevRig();
        toy(rig);
        MdevDevice m = rig.bus.device(U);
        HostMapping ram = rig.memory.allocate("ram", 1 << 16);
        try (MdevRig.Opened o = rig.open(U)) {
            o.container().mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x1000));
            o.container().mapDma(new DmaMap(RW, ram.address().plus(0x1000), Iova.of(0x101000), 0x1000));
            o.container().mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_WRITE, ram.address().plus(0x2000), Iova.of(0x102000), 0x1000));
            o.container().mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address().plus(0x3000), Iova.of(0x103000), 0x1000));
            MemorySegment buf = MemorySegment.ofArray(new byte[16]);
            for (int i = 0; i < 16; i++) {
                buf.set(ValueLayout.JAVA_BYTE, i, (byte) (0xa0 + i));
            }
            m.dmaRw(Iova.of(0x100ff8), buf, true); // 8 bytes in each mapping
            assertEquals((byte) 0xa0, ram.segment().get(ValueLayout.JAVA_BYTE, 0xff8));
            assertEquals((byte) 0xaf, ram.segment().get(ValueLayout.JAVA_BYTE, 0x1007));
            MemorySegment back = MemorySegment.ofArray(new byte[16]);
            m.dmaRw(Iova.of(0x100ff8), back, false);
            assertEquals(-1, back.mismatch(buf));
            assertEquals(0, rig.memlock.lockedBytes());
            String op = "vfio_dma_rw";
            assertErrno(Errno.EPERM, op, () -> m.dmaRw(Iova.of(0x102000), buf, true)); // write-only: no READ
            assertErrno(Errno.EPERM, op, () -> m.dmaRw(Iova.of(0x102000), buf, false));
            assertErrno(Errno.EPERM, op, () -> m.dmaRw(Iova.of(0x103000), buf, true));
            m.dmaRw(Iova.of(0x103000), back, false);
            assertErrno(Errno.EINVAL, op, () -> m.dmaRw(Iova.of(0x103ff8), buf, false)); // the second chunk is unmapped
            assertErrno(Errno.EINVAL, op, () -> m.dmaRw(Iova.of(0x100000), MemorySegment.ofArray(new byte[0]), false));
        } finally {
            ram.close();
        }
        assertErrno(Errno.EINVAL, "vfio_dma_rw", () -> m.dmaRw(Iova.of(0x100000), MemorySegment.ofArray(new byte[4]), false));
    }

    /** "VFIO_UPDATE_VADDR (CHECK_EXTENSION 10) answers 0 while the container holds an mdev group; UNMAP_DMA with VFIO_DMA_UNMAP_FLAG_VADDR in such a container is EBUSY." */
    @Test
    @DisplayName("A-26: UPDATE_VADDR is 0 and UNMAP with FLAG_VADDR is EBUSY while an mdev group is in the container")
    void updateVaddrIsRefusedWithMdevs() {
        MdevRig rig = new MdevRig();
        toy(rig);
        rig.seed.platform().unbind(Hosts.EDU);
        rig.seed.platform().newId("vfio-pci", 0x1234, 0x11e8);
        HostMapping ram = rig.memory.allocate("ram", 1 << 16);
        try (VfioContainer c = VfioContainer.open(rig.vfio);
             VfioGroup edu = VfioGroup.open(rig.vfio, rig.seed.platform().iommuGroupOf(Hosts.EDU));
             VfioGroup mdev = VfioGroup.open(rig.vfio, 0)) {
            edu.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            assertEquals(1, c.checkExtension(VFIO_UPDATE_VADDR));
            c.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x10000));
            mdev.setContainer(c);
            assertEquals(0, c.checkExtension(VFIO_UPDATE_VADDR));
            assertErrno(Errno.EBUSY, "VFIO_IOMMU_UNMAP_DMA",
                    () -> c.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_VADDR, Iova.of(0x100000), 0x10000)));
            mdev.unsetContainer();
            assertEquals(1, c.checkExtension(VFIO_UPDATE_VADDR));
        } finally {
            ram.close();
        }
    }
}
