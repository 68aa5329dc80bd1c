package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommufd.IommufdStructs.*;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.testing.IommufdRig;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * The VFIO device cdev and its iommufd ioctls (drivers/vfio/device_cdev.c, vfio_main.c,
 * drivers/iommu/iommufd/device.c; reference B-15 to B-18, B-21) and the legacy group path beside
 * it (drivers/vfio/group.c): bind, attach with and without a PASID, replace, detach, and mixing
 * refused per group.
 */
class DeviceCdevBindAttachRules {
    private final IommufdRig rig = IommufdRig.open();
    private final Iommufd fd = rig.iommufd;
    private final VfioDevice dev = rig.device;

    @AfterEach
    void close() {
        rig.close();
    }

    private static Errno errno(Runnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    private HostPciFunction fn(org.jvmm.pci.PciAddress a) {
        return rig.platform.function("test", a);
    }

    @Test
    @DisplayName("a cdev file is EINVAL for every device ioctl until it is bound to an iommufd")
    void anUnboundCdevRefusesEverything() {
        try (VfioDevice plain = VfioDevice.openCdev(rig.vfio, IommufdRig.PLAIN_EDU)) {
            assertEquals(Errno.EINVAL, errno(plain::getInfo));
            assertEquals(Errno.EINVAL, errno(() -> plain.attachIommufdPt(fd.ioasAlloc())));
            int id = plain.bindIommufd(fd);
            assertEquals(VfioUapi.VFIO_DEVICE_FLAGS_PCI | VfioUapi.VFIO_DEVICE_FLAGS_RESET, plain.getInfo().flags());
            assertNotEquals(rig.devId, id);
        }
    }

    @Test
    @DisplayName("BIND_IOMMUFD: argsz below 16, flags or a negative fd EINVAL; binding twice EINVAL; a second cdev file of the device EINVAL")
    void bindArgumentErrors() {
        try (VfioDevice plain = VfioDevice.openCdev(rig.vfio, IommufdRig.PLAIN_EDU)) {
            assertEquals(Errno.EINVAL, errno(() -> plain.bindIommufd(fd, new BindIommufd(15, 0, 3, 0))));
            assertEquals(Errno.EINVAL, errno(() -> plain.bindIommufd(fd, new BindIommufd(16, 1, 3, 0))));
            assertEquals(Errno.EINVAL, errno(() -> plain.bindIommufd(fd, new BindIommufd(16, 0, -1, 0))));
            plain.bindIommufd(fd);
            assertEquals(Errno.EINVAL, errno(() -> plain.bindIommufd(fd)));
            try (VfioDevice again = VfioDevice.openCdev(rig.vfio, IommufdRig.PLAIN_EDU)) {
                assertEquals(Errno.EINVAL, errno(() -> again.bindIommufd(fd)));
            }
        }
    }

    @Test
    void aCdevExistsOnlyForAFunctionBoundToVfioPci() {
        assertEquals(Errno.ENOENT, errno(() -> VfioDevice.openCdev(rig.vfio, org.jvmm.pci.PciAddress.parse("0000:03:00.1"))));
    }

    @Test
    @DisplayName("binding a function whose group has a function on a host driver is EPERM (DMA ownership cannot be claimed)")
    void aGroupThatIsNotViableCannotBind() {
        try (VfioDevice nic = VfioDevice.openCdev(rig.vfio, IommufdRig.NIC_0)) {
            assertEquals(Errno.EPERM, errno(() -> nic.bindIommufd(fd)));
            assertEquals(Errno.EINVAL, errno(nic::getInfo));
        }
    }

    @Test
    @DisplayName("legacy and iommufd exclude each other per group: open group while a cdev is bound EBUSY, bind while the group is open EBUSY")
    void legacyAndIommufdDoNotMix() {
        int edu = rig.platform.iommuGroupOf(IommufdRig.PASID_EDU);
        assertEquals(Errno.EBUSY, errno(() -> VfioGroup.open(rig.platform, edu)));
        int plainGroup = rig.platform.iommuGroupOf(IommufdRig.PLAIN_EDU);
        try (VfioGroup g = VfioGroup.open(rig.platform, plainGroup); VfioContainer c = VfioContainer.open(rig.platform);
                VfioDevice cdev = VfioDevice.openCdev(rig.vfio, IommufdRig.PLAIN_EDU)) {
            assertEquals(Errno.EBUSY, errno(() -> cdev.bindIommufd(fd)));
            g.setContainer(c);
            c.setIommu(VfioUapi.VFIO_TYPE1v2_IOMMU);
            try (VfioDevice legacy = g.getDeviceFd(IommufdRig.PLAIN_EDU.toString())) {
                assertEquals(Errno.EINVAL, errno(() -> legacy.bindIommufd(fd)), "BIND_IOMMUFD is for cdev files only");
                assertEquals(Errno.ENOTTY, errno(() -> legacy.attachIommufdPt(1)), "the driver has no ATTACH on a group-path file");
            }
        }
        rig.device.close();
        try (VfioGroup g = VfioGroup.open(rig.platform, edu)) {
            assertEquals(edu, g.id(), "closing the bound cdev unblocks the group");
        }
    }

    @Test
    @DisplayName("attaching an IOAS makes an automatic HWPT that DMA goes through; detach blocks DMA and destroys it")
    void attachToAnIoasAndDetach() {
        int ioas = fd.ioasAlloc();
        int hwpt = dev.attachIommufdPt(ioas);
        assertNotEquals(ioas, hwpt);
        PagingHwpt h = (PagingHwpt) fd.hwpt(hwpt);
        assertTrue(h.isAuto());
        assertSame(h, fn(IommufdRig.PASID_EDU).iommuGroup().dmaDomain());
        assertEquals(Errno.EBUSY, errno(() -> fd.destroy(ioas)));
        assertEquals(Errno.EBUSY, errno(() -> fd.destroy(hwpt)));
        assertEquals(Errno.EBUSY, errno(() -> fd.destroy(rig.devId)));
        dev.detachIommufdPt(DetachPt.of());
        assertNull(fn(IommufdRig.PASID_EDU).iommuGroup().dmaDomain());
        assertNull(fd.hwpt(hwpt), "the automatic domain went with its last attachment");
        dev.detachIommufdPt(DetachPt.of()); // not attached: nothing to do
        fd.destroy(ioas);
    }

    @Test
    void edusDmaThroughAnAttachedIoasReachesTheMappedMemory() {
        int ioas = fd.ioasAlloc();
        dev.attachIommufdPt(ioas);
        fd.ioasMap(IoasMap.of(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE, ioas,
                rig.va(0), 0x2000, 0x40_0000));
        IommufdRig.enableBusMaster(dev);
        rig.fill(0, 0x100, (byte) 0x42);
        IommufdRig.eduDma(dev, 0x40_0000, 0, 0x100, false, -1);
        IommufdRig.eduDma(dev, 0x40_1000, 0, 0x100, true, -1);
        assertEquals((byte) 0x42, rig.ramByte(0x10ff));
        dev.detachIommufdPt(DetachPt.of());
        IommufdRig.eduDma(dev, 0x40_0000, 0, 0x10, true, -1);
        assertEquals(FaultReason.BLOCKED, rig.platform.faults().last().reason());
    }

    @Test
    @DisplayName("ATTACH: argsz below 12 EINVAL, unknown flag EINVAL, PASID flag with argsz below 16 EINVAL, PASID 0 EINVAL; unknown pt_id ENOENT; a fault object EINVAL")
    void attachArgumentErrors() {
        int ioas = fd.ioasAlloc();
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(new AttachPt(11, 0, ioas, 0))));
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(new AttachPt(16, 2, ioas, 0))));
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(new AttachPt(12, VFIO_DEVICE_ATTACH_PASID, ioas, 1))));
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(AttachPt.pasid(ioas, 0))));
        assertEquals(Errno.ENOENT, errno(() -> dev.attachIommufdPt(77)));
        int fault = fd.faultQueueAlloc(FaultAlloc.of()).outFaultId();
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(fault)));
        assertEquals(12, new AttachPt(12, 0, ioas, 0).argsz());
        assertEquals(fd.ioas(ioas).domains().size(), 0, "failed attaches leave no automatic domain behind");
        assertNull(dev.iommufdDevice().attached());
    }

    @Test
    @DisplayName("DETACH: argsz below 8 EINVAL, unknown flag EINVAL, PASID flag with argsz below 12 EINVAL")
    void detachArgumentErrors() {
        assertEquals(Errno.EINVAL, errno(() -> dev.detachIommufdPt(new DetachPt(7, 0, 0))));
        assertEquals(Errno.EINVAL, errno(() -> dev.detachIommufdPt(new DetachPt(12, 4, 0))));
        assertEquals(Errno.EINVAL, errno(() -> dev.detachIommufdPt(new DetachPt(8, VFIO_DEVICE_DETACH_PASID, 5))));
    }

    @Test
    @DisplayName("B-17/B-18: a PASID beyond the device's width EINVAL; a HWPT without ALLOC_PASID on a PASID EINVAL, and the RID must then be PASID-capable too")
    void pasidCompatibility() {
        int ioas = fd.ioasAlloc();
        int plainHwpt = fd.hwptAlloc(0, rig.devId, ioas);
        int pasidHwpt = fd.hwptAlloc(IOMMU_HWPT_ALLOC_PASID, rig.devId, ioas);
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(AttachPt.pasid(pasidHwpt, 1 << 20))));
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(AttachPt.pasid(plainHwpt, 5))));
        dev.attachIommufdPt(plainHwpt);
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(AttachPt.pasid(pasidHwpt, 5))),
                "the RID's table is not PASID-capable");
        dev.attachIommufdPt(pasidHwpt);
        assertEquals(pasidHwpt, dev.attachIommufdPt(AttachPt.pasid(pasidHwpt, 5)).ptId());
        assertEquals(Errno.EINVAL, errno(() -> dev.attachIommufdPt(plainHwpt)), "PASIDs are attached: the RID needs a PASID-capable table");
        assertSame(fd.hwpt(pasidHwpt), rig.platform.function("t", IommufdRig.PASID_EDU).pasidDomain(5));
        dev.detachIommufdPt(DetachPt.pasid(5));
        assertNull(rig.platform.function("t", IommufdRig.PASID_EDU).pasidDomain(5));
        assertEquals(plainHwpt, dev.attachIommufdPt(plainHwpt));
    }

    @Test
    void aDeviceWithoutPasidCannotAttachAnyPasid() {
        try (VfioDevice plain = VfioDevice.openCdev(rig.vfio, IommufdRig.PLAIN_EDU)) {
            int id = plain.bindIommufd(fd);
            int h = fd.hwptAlloc(IOMMU_HWPT_ALLOC_PASID, id, fd.ioasAlloc());
            assertEquals(Errno.EINVAL, errno(() -> plain.attachIommufdPt(AttachPt.pasid(h, 1))));
        }
    }

    @Test
    @DisplayName("attaching while attached replaces the table without a blocking window")
    void attachWhileAttachedReplaces() {
        int a = fd.ioasAlloc();
        int b = fd.ioasAlloc();
        int ha = fd.hwptAlloc(0, rig.devId, a);
        int hb = fd.hwptAlloc(0, rig.devId, b);
        dev.attachIommufdPt(ha);
        assertEquals(hb, dev.attachIommufdPt(hb));
        assertSame(fd.hwpt(hb), rig.platform.function("t", IommufdRig.PASID_EDU).iommuGroup().dmaDomain());
        assertEquals(0, fd.hwpt(ha).attachments);
        fd.destroy(ha);
    }

    @Test
    @DisplayName("an attached device's reserved MSI window and the 48-bit aperture leave the IOVA ranges; mapping there is EINVAL")
    void attachNarrowsTheIovaRanges() {
        int ioas = fd.ioasAlloc();
        assertEquals(List.of(new IovaRange(0, -1L)), fd.ioasIovaRanges(ioas).ranges());
        assertEquals(1L, fd.ioasIovaRanges(ioas).alignment());
        dev.attachIommufdPt(ioas);
        assertEquals(List.of(new IovaRange(0, 0xfedf_ffffL), new IovaRange(0xfef0_0000L, (1L << 48) - 1)),
                fd.ioasIovaRanges(ioas).ranges());
        assertEquals(0x1000L, fd.ioasIovaRanges(ioas).alignment());
        assertEquals(Errno.EINVAL, errno(() -> fd.ioasMap(IoasMap.of(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE, ioas,
                rig.va(0), 0x1000, 0xfee0_0000L))));
        dev.detachIommufdPt(DetachPt.of());
        assertEquals(List.of(new IovaRange(0, -1L)), fd.ioasIovaRanges(ioas).ranges());
    }

    @Test
    @DisplayName("ALLOW_IOVAS: a range that ends before it starts or overlaps another EINVAL; one the device reserves EADDRINUSE, both ways")
    void allowIovas() {
        int ioas = fd.ioasAlloc();
        assertEquals(Errno.EINVAL, errno(() -> fd.ioasAllowIovas(ioas, List.of(new IovaRange(0x2000, 0x1000)))));
        assertEquals(Errno.EINVAL, errno(() -> fd.ioasAllowIovas(ioas, List.of(new IovaRange(0, 0x2000), new IovaRange(0x1000, 0x3000)))));
        fd.ioasAllowIovas(ioas, List.of(new IovaRange(0xfe00_0000L, 0xfeff_ffffL)));
        assertEquals(Errno.EADDRINUSE, errno(() -> dev.attachIommufdPt(ioas)));
        fd.ioasAllowIovas(ioas, List.of(new IovaRange(0x1_0000_0000L, 0x1_ffff_ffffL)));
        dev.attachIommufdPt(ioas);
        assertEquals(Errno.EADDRINUSE, errno(() -> fd.ioasAllowIovas(ioas, List.of(new IovaRange(0xfee0_0000L, 0xfee0_0fffL)))));
        // automatic IOVAs come from the allowed ranges
        long at = fd.ioasMap(IoasMap.of(IOMMU_IOAS_MAP_READABLE, ioas, rig.va(0), 0x1000, 0)).iova();
        assertEquals(0x1_0000_0000L, at);
    }

    @Test
    @DisplayName("GET_HW_INFO: VT-d type, its cap/ecap registers, the device's 20-bit PASID width; flags EOPNOTSUPP; unknown dev_id ENOENT")
    void getHwInfo() {
        java.lang.foreign.MemorySegment data = java.lang.foreign.MemorySegment.ofArray(new byte[32]);
        HwInfo out = fd.getHwInfo(HwInfo.of(rig.devId, 32, 1), data);
        assertEquals(IOMMU_HW_INFO_TYPE_INTEL_VTD, out.outDataType());
        assertEquals(20, out.outMaxPasidLog2());
        assertEquals(0L, out.outCapabilities());
        assertEquals(24, out.dataLen());
        HwInfoVtd vtd = HwInfoVtd.decode(data);
        assertEquals(Iommufd.VTD_CAP_REG, vtd.capReg());
        assertEquals(Iommufd.VTD_ECAP_REG, vtd.ecapReg());
        assertEquals(19L, (vtd.ecapReg() >>> 35) & 0x1f, "PSS: 20-bit PASIDs");
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.getHwInfo(new HwInfo(40, 1, rig.devId, 0, 0, 0, 0, 0), null)));
        assertEquals(Errno.ENOENT, errno(() -> fd.getHwInfo(HwInfo.of(55, 0, 0), null)));
        try (VfioDevice plain = VfioDevice.openCdev(rig.vfio, IommufdRig.PLAIN_EDU)) {
            assertEquals(0, fd.getHwInfo(HwInfo.of(plain.bindIommufd(fd), 0, 0), null).outMaxPasidLog2());
        }
    }

    @Test
    void closingTheCdevUnbindsAndFreesTheDevice() {
        int ioas = fd.ioasAlloc();
        dev.attachIommufdPt(ioas);
        int before = fd.objectCount();
        dev.close();
        assertEquals(before - 2, fd.objectCount(), "the device and its automatic HWPT are gone");
        assertNull(rig.platform.function("t", IommufdRig.PASID_EDU).iommuGroup().dmaOwner());
    }
}
