package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.testing.Hosts;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.Type1Info;
import org.jvmm.vfio.iommu.Type1InfoCapability;
import org.jvmm.vfio.iommu.Type1Iommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules A-27 to A-31 (drivers/vfio/vfio_iommu_type1.c vfio_dma_do_unmap, vfio_notify_dma_unmap, vfio_remove_dma). */
@DisplayName("TYPE1 with mdevs A-27..A-31: the dma_unmap notifier, the fatal case, teardown and page sizes")
class MdevType1Rule27To31UnmapNotifier {
    private static final String A = "00000000-0000-0000-0000-00000000000a";
    private static final String B = "00000000-0000-0000-0000-00000000000b";
    private static final String TOY = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create";
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    /** Two toy mdevs whose groups share one TYPE1v2 container; 64 KiB of RAM at IOVA 0x100000 in two 32 KiB mappings. */
    private static final class TwoMdevs implements AutoCloseable {
        final MdevRig rig = new MdevRig();
        final ToyVendor vendor = new ToyVendor(4);
        final HostMapping ram;
        final VfioContainer container;
        final VfioGroup ga;
        final VfioGroup gb;
        final VfioDevice da;
        final VfioDevice db;

        TwoMdevs() {
            rig.bus.registerParent("toy", "toydrv", vendor, List.of(new MdevType("a", null)));
            rig.bus.write(TOY, A);
            rig.bus.write(TOY, B);
            ram = rig.memory.allocate("ram", 1 << 16);
            container = VfioContainer.open(rig.vfio);
            ga = VfioGroup.open(rig.vfio, rig.bus.device(A).iommuGroupNumber());
            gb = VfioGroup.open(rig.vfio, rig.bus.device(B).iommuGroupNumber());
            ga.setContainer(container);
            gb.setContainer(container);
            container.setIommu(VFIO_TYPE1v2_IOMMU);
            da = ga.getDeviceFd(A);
            db = gb.getDeviceFd(B);
            container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x8000));
            container.mapDma(new DmaMap(RW, ram.address().plus(0x8000), Iova.of(0x108000), 0x8000));
        }

        ToyVendor.Toy toy(String uuid) {
            return vendor.devices.stream().filter(t -> t.mdev.name().equals(uuid)).findFirst().orElseThrow();
        }

        Type1Iommu type1() {
            return (Type1Iommu) container.backend();
        }

        @Override
        public void close() {
            if (!da.isClosed()) {
                da.close();
            }
            if (!db.isClosed()) {
                db.close();
            }
            ga.close();
            gb.close();
            container.close();
            ram.close();
        }
    }

    /** "any mapping with pages pinned ... makes TYPE1 drop its lock and call dma_unmap(dev, mapping_iova, mapping_size) on every device registered in the container (not only the one that pinned), with the whole mapping's bounds (not the requested range), then restart the walk." A-28: "The vendor must unpin every page it holds in that range before returning". */
    @Test
    @DisplayName("A-27/A-28: every registered device is told the whole pinned mapping's bounds before it goes; the unmap completes once the pins are gone")
    void everyDeviceIsNotifiedOfTheWholeMappingFirst() {
        try (TwoMdevs t = new TwoMdevs()) {
            t.toy(A).pin(0x10a000, 2, IommuPermission.READ_WRITE);
            assertEquals(2 * 4096, t.rig.memlock.lockedBytes());
            DmaUnmap done = t.container.unmapDma(new DmaUnmap(0, Iova.of(0x100000), 0x10000));
            assertEquals(0x10000, done.size());
            assertEquals(List.of("0x108000+0x8000"), t.toy(A).unmaps);
            assertEquals(List.of("0x108000+0x8000"), t.toy(B).unmaps); // B pinned nothing and is told too
            assertEquals(0, t.type1().mappingCount());
            assertEquals(0, t.rig.memlock.lockedBytes());
            assertEquals(1, t.type1().mdevCounters().notificationRounds());
        }
    }

    /** the notification reaches the vendor while the mapping still exists (notification precedes removal). */
    @Test
    @DisplayName("A-27: while the vendor is notified the mapping and its pins are still there")
    void theNotifierRunsBeforeTheMappingGoes() {
        try (TwoMdevs t = new TwoMdevs()) {
            t.toy(B).pin(0x100000, 1, IommuPermission.READ);
            List<String> state = new ArrayList<>();
            Type1Iommu type1 = t.type1();
            AutoCloseable probe = type1.registerDevice((iova, size) -> state.add("mappings=" + type1.mappingCount()
                    + " pinned=" + type1.externallyPinnedPages()));
            t.container.unmapDma(new DmaUnmap(0, Iova.of(0x100000), 0x8000));
            assertTrue(state.get(0).startsWith("mappings=2"), state.toString());
            assertEquals(1, type1.mappingCount());
            try {
                probe.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** "If the same mapping still has pins after 10 notifications in a row, the kernel crashes on a BUG()" (BUG_ON(++retries > 10): the 12th check). [model decision] fail loudly naming the IOVA. */
    @Test
    @DisplayName("A-28: a vendor that keeps its pins is notified 11 times, then the unmap fails loudly (the kernel's BUG) and the mapping stays")
    void aVendorThatKeepsPinsIsTheFatalCase() {
        try (TwoMdevs t = new TwoMdevs()) {
            t.vendor.unpinOnNotify = false;
            t.toy(A).pin(0x100000, 1, IommuPermission.READ);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> t.container.unmapDma(new DmaUnmap(0, Iova.of(0x100000), 0x8000)));
            assertTrue(e.getMessage().contains("[0x100000, 0x108000)") && e.getMessage().contains("first at iova 0x100000"),
                    e.getMessage());
            assertEquals(11, t.toy(A).unmaps.size());
            assertEquals(11, t.type1().mdevCounters().notificationRounds());
            assertEquals(2, t.type1().mappingCount());
            assertEquals(1, t.type1().warnings().size());
            t.vendor.unpinOnNotify = true; // close_device unpins, teardown is clean
        }
    }

    /** "the bytes reported back in size count only mappings actually removed after their pins were gone; a v2 unmap that would split a mapping fails with EINVAL before any notification." */
    @Test
    @DisplayName("A-29: a v2 unmap that would split a pinned mapping is EINVAL with no notification")
    void splittingIsEinvalBeforeAnyNotification() {
        try (TwoMdevs t = new TwoMdevs()) {
            t.toy(A).pin(0x100000, 1, IommuPermission.READ);
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_UNMAP_DMA",
                    () -> t.container.unmapDma(new DmaUnmap(0, Iova.of(0x100000), 0x4000)));
            assertEquals(List.of(), t.toy(A).unmaps);
            assertEquals(1, t.type1().externallyPinnedPages());
            assertEquals(0x8000, t.container.unmapDma(new DmaUnmap(0, Iova.of(0x108000), 0x8000)).size());
            assertEquals(List.of(), t.toy(A).unmaps); // nothing pinned there: no notification
        }
    }

    /** "Container teardown (last group detached) removes all mappings without notifying; a mapping that still has vendor pins at that point is a kernel warning. Vendor drivers therefore unpin in close_device." */
    @Test
    @DisplayName("A-30: teardown notifies nobody; close_device unpins; pins left over are a warning and their charge is still returned")
    void teardownDoesNotNotify() {
        TwoMdevs t = new TwoMdevs();
        Type1Iommu type1 = t.type1();
        t.toy(A).pin(0x100000, 1, IommuPermission.READ); // remembered: close_device unpins it
        t.da.close();
        assertEquals(0, type1.externallyPinnedPages());
        MdevDevice b = t.rig.bus.device(B);
        b.pinPages(Iova.of(0x108000), 1, IommuPermission.READ); // not remembered by the toy: left pinned
        t.db.close();
        assertEquals(1, type1.externallyPinnedPages());
        t.ga.close();
        t.gb.close(); // the last group: teardown
        assertEquals(List.of(), t.toy(A).unmaps);
        assertEquals(List.of(), t.toy(B).unmaps);
        assertEquals(List.of("WARN vfio_remove_dma: [0x108000, 0x110000) still has 1 page(s) pinned by a vendor driver"),
                type1.warnings());
        assertEquals(0, t.rig.memlock.lockedBytes());
        t.container.close();
        t.ram.close();
    }

    /** "with only mdev groups: no domain narrows the page-size bitmap, so GET_INFO reports the host page size and above". */
    @Test
    @DisplayName("A-31: with only mdev groups GET_INFO reports every size from 4 KiB up and no IOVA ranges; a physical group narrows them")
    void pageSizesWithOnlyMdevs() {
        MdevRig rig = new MdevRig();
        rig.bus.registerParent("toy", "toydrv", new ToyVendor(1), List.of(new MdevType("a", null)));
        rig.bus.write(TOY, A);
        rig.seed.platform().unbind(Hosts.EDU);
        rig.seed.platform().newId("vfio-pci", 0x1234, 0x11e8);
        try (MdevRig.Opened o = rig.open(A)) {
            Type1Info info = (Type1Info) o.container().iommuGetInfo(1024);
            assertEquals(~0xfffL, info.iovaPgsizes());
            assertEquals(null, info.capability(Type1InfoCapability.IovaRanges.class));
            try (VfioGroup edu = VfioGroup.open(rig.vfio, rig.seed.platform().iommuGroupOf(Hosts.EDU))) {
                edu.setContainer(o.container());
                Type1Info narrowed = (Type1Info) o.container().iommuGetInfo(1024);
                assertEquals(rig.seed.platform().iommuHardware().pgsizeBitmap(), narrowed.iovaPgsizes());
            }
            assertEquals(~0xfffL, ((Type1Info) o.container().iommuGetInfo(1024)).iovaPgsizes());
        }
    }
}
