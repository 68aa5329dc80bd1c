package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.testing.Hosts;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules A-14 to A-17 (drivers/vfio/group.c, vfio_main.c, vfio_iommu_type1.c attach_group, include/linux/vfio.h, samples). */
@DisplayName("mdev A-14..A-17: each mdev is a VFIO device alone in an emulated group, its ops the vendor's")
class MdevRule14To17VfioDevice {
    private static final String U = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    private static final String TOY = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create";

    private static ToyVendor toy(MdevRig rig) {
        ToyVendor v = new ToyVendor(4);
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        return v;
    }

    /** "every mdev its own new IOMMU group containing only that device ... viable at once ... VFIO_GROUP_GET_DEVICE_FD takes the UUID string." */
    @Test
    @DisplayName("A-14: the mdev's own group is viable at once, holds only it, and GET_DEVICE_FD takes the UUID")
    void ownViableGroupAndTheUuidAsDeviceName() {
        MdevRig rig = new MdevRig();
        toy(rig);
        rig.bus.write(TOY, U);
        rig.bus.write(TOY, "00000000-0000-0000-0000-000000000002");
        try (VfioContainer c = VfioContainer.open(rig.vfio); VfioGroup g = VfioGroup.open(rig.vfio, 0)) {
            assertEquals(VFIO_GROUP_FLAGS_VIABLE, g.getStatus().flags());
            assertEquals(List.of(), g.iommuGroup().functions());
            assertEquals(U, g.iommuGroup().emulatedDevice());
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            assertErrno(Errno.ENODEV, "VFIO_GROUP_GET_DEVICE_FD", () -> g.getDeviceFd("00000000-0000-0000-0000-000000000002"));
            assertErrno(Errno.ENODEV, "VFIO_GROUP_GET_DEVICE_FD", () -> g.getDeviceFd(U.toUpperCase()));
            try (VfioDevice d = g.getDeviceFd(U)) {
                assertEquals(U, d.name());
                assertNull(d.address());
            }
        }
    }

    /** "An emulated group joins a TYPE1 container without an IOMMU domain. A container may hold mdev groups and physical groups together; ... attaching any group while a vaddr update is in progress is EBUSY." */
    @Test
    @DisplayName("A-15: an mdev group shares a TYPE1 container with a physical group; attaching during a vaddr update is EBUSY")
    void mixedContainerAndEbusyDuringVaddrUpdate() {
        MdevRig rig = new MdevRig();
        toy(rig);
        rig.bus.write(TOY, U);
        rig.seed.platform().unbind(Hosts.EDU);
        rig.seed.platform().newId("vfio-pci", 0x1234, 0x11e8);
        HostMapping ram = rig.memory.allocate("ram", 1 << 16);
        try (VfioContainer c = VfioContainer.open(rig.vfio);
             VfioGroup edu = VfioGroup.open(rig.vfio, rig.seed.platform().iommuGroupOf(Hosts.EDU));
             VfioGroup mdev = VfioGroup.open(rig.vfio, 0)) {
            edu.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            c.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0x100000), 1 << 16));
            c.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_VADDR, Iova.of(0x100000), 1 << 16));
            assertErrno(Errno.EBUSY, "VFIO_GROUP_SET_CONTAINER", () -> mdev.setContainer(c));
            c.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_VADDR, ram.address(), Iova.of(0x100000), 1 << 16));
            mdev.setContainer(c);
            assertEquals(2, c.groupCount());
            assertErrno(Errno.EINVAL, "VFIO_GROUP_SET_CONTAINER", () -> mdev.setContainer(c));
        } finally {
            ram.close();
        }
    }

    /** A-15 complement: vfio_iommu_spapr_tce.c tce_iommu_attach_group refuses an emulated group with EINVAL, so an mdev never reaches an sPAPR TCE container. */
    @Test
    @DisplayName("A-15: an mdev group cannot join an sPAPR TCE container (EINVAL), alone or beside a PE's group")
    void spaprTceRefusesAnMdevGroup() {
        org.jvmm.testing.SpaprRig spapr = new org.jvmm.testing.SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU);
        org.jvmm.vfio.Vfio vfio = org.jvmm.vfio.Vfio.of(spapr.platform);
        MdevBus bus = MdevBus.load(vfio);
        bus.registerParent("toy", "toydrv", new ToyVendor(1), List.of(new MdevType("a", null)));
        bus.write(TOY, U);
        assertEquals("/sys/kernel/iommu_groups/0", bus.readlink("/sys/bus/mdev/devices/" + U + "/iommu_group"));
        try (VfioGroup g = VfioGroup.open(vfio, 0); VfioContainer alone = VfioContainer.open(vfio)) {
            assertErrno(Errno.EINVAL, "VFIO_GROUP_SET_CONTAINER", () -> g.setContainer(spapr.container));
            assertEquals(1, spapr.container.groupCount());
            g.setContainer(alone);
            assertErrno(Errno.EINVAL, "VFIO_GROUP_SET_CONTAINER", () -> alone.setIommu(VFIO_SPAPR_TCE_v2_IOMMU));
            assertNull(alone.backend());
        } finally {
            spapr.close();
        }
    }

    /** "open_device (first fd; may refuse, and its errno is what GET_DEVICE_FD returns), close_device (last fd ...)"; a driver without mmap: vfio_device_fops_mmap EINVAL. */
    @Test
    @DisplayName("A-16: open_device runs on the first fd and close_device on the last; open_device's errno is GET_DEVICE_FD's; no mmap is EINVAL")
    void openAndCloseAreCountedAndTheVendorsErrnoIsReturned() {
        MdevRig rig = new MdevRig();
        ToyVendor v = toy(rig);
        rig.bus.write(TOY, U);
        v.openError = new ErrnoException("open_device toy", Errno.ESRCH, "KVM is required");
        try (VfioContainer c = VfioContainer.open(rig.vfio); VfioGroup g = VfioGroup.open(rig.vfio, 0)) {
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            assertErrno(Errno.ESRCH, "open_device toy", () -> g.getDeviceFd(U));
            assertEquals(0, rig.bus.device(U).openCount());
            v.openError = null;
            VfioDevice a = g.getDeviceFd(U);
            VfioDevice b = g.getDeviceFd(U);
            assertEquals(2, rig.bus.device(U).openCount());
            assertErrno(Errno.EINVAL, "mmap", () -> a.mmap(ToyVendor.REGION_OFFSET, 4096));
            a.close();
            b.close();
            assertEquals(List.of("probe " + U, "open " + U, "open " + U, "close " + U), v.calls);
        }
    }

    /** "Region offsets of an mdev are whatever the vendor reports in GET_REGION_INFO; only vfio-pci (and mtty) use index << 40 ... A consumer must use the reported offset". */
    @Test
    @DisplayName("A-17: the region is at the vendor's offset (0x3000), and pread/pwrite/reset reach the vendor there")
    void regionOffsetsAreTheVendors() {
        MdevRig rig = new MdevRig();
        ToyVendor v = toy(rig);
        rig.bus.write(TOY, U);
        try (MdevRig.Opened o = rig.open(U)) {
            RegionInfo r = o.device().getRegionInfo(0);
            assertEquals(0x3000, r.offset());
            assertEquals(4096, r.size());
            MemorySegment word = MemorySegment.ofArray(new byte[4]);
            word.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x12345678);
            assertEquals(4, o.device().write(r.offset() + 8, word));
            MemorySegment back = MemorySegment.ofArray(new byte[4]);
            o.device().read(r.offset() + 8, back);
            assertEquals(0x12345678, back.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            assertEquals(0x12345678, v.devices.get(0).regs.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
            assertErrno(Errno.EINVAL, "pread", () -> o.device().read(0, back)); // 0 << 40 is not the region
            o.device().reset();
            o.device().read(r.offset() + 8, back);
            assertEquals(0, back.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            assertTrue(v.calls.contains("reset " + U));
        }
    }
}
