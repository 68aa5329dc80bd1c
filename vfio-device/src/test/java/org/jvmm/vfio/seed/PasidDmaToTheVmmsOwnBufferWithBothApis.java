package org.jvmm.vfio.seed;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.iommufd.FaultQueue;
import org.jvmm.iommufd.Iommufd;
import org.jvmm.iommufd.IommufdStructs.*;
import org.jvmm.testing.IommufdRig;
import org.jvmm.vfio.PasidApi;
import org.jvmm.vfio.SeedSvm;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioDeviceSvm;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * The host-side scenario without a guest, once per API: the VMM's own buffer is reached by the
 * PASID-capable edu at the buffer's virtual addresses. Mainline: an IOAS mapped 1:1 at the
 * buffer's virtual addresses, attached to a PASID through a HWPT with a fault queue; a page the
 * IOAS lacks is a page request the VMM serves by mapping it. Seed 001: BIND_TASK gives the
 * process address space a PASID; unbinding with each release flag.
 */
class PasidDmaToTheVmmsOwnBufferWithBothApis {
    private static final int RW = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

    @Test
    @DisplayName("mainline: PASID DMA to the buffer's virtual addresses through iommufd, a missing page served through the fault queue")
    void mainlineIommufdPasid() {
        try (IommufdRig rig = IommufdRig.open()) {
            Iommufd fd = rig.iommufd;
            HostMapping buffer = rig.ram;
            long va = buffer.address().value();
            int ioas = fd.ioasAlloc();
            fd.ioasMap(IoasMap.of(RW, ioas, va, 0x8000, va)); // the first 32 KiB, 1:1
            FaultAlloc fault = fd.faultQueueAlloc(FaultAlloc.of());
            int hwpt = fd.hwptAlloc(HwptAlloc.of(IOMMU_HWPT_ALLOC_PASID, rig.devId, ioas).withFault(fault.outFaultId()), null)
                    .outHwptId();
            assertEquals(hwpt, rig.device.attachIommufdPt(AttachPt.pasid(hwpt, 0x42)).ptId());
            IommufdRig.enableBusMaster(rig.device);

            rig.fill(0x1000, 0x200, (byte) 0x11);
            IommufdRig.eduDma(rig.device, va + 0x1000, 0, 0x200, false, 0x42);
            IommufdRig.eduDma(rig.device, va + 0x3000, 0, 0x200, true, 0x42);
            assertEquals((byte) 0x11, rig.ramByte(0x31ff));

            // 0x9000 is outside what the IOAS maps: a page request, served by mapping the page
            IommufdRig.eduDma(rig.device, va + 0x9000, 0, 0x200, true, 0x42);
            FaultQueue q = fd.faultFile(fault.outFaultFd());
            MemorySegment rec = MemorySegment.ofArray(new byte[Pgfault.SIZE]);
            assertEquals(40L, q.read(rec, 0));
            Pgfault f = Pgfault.decode(rec);
            assertEquals(va + 0x9000, f.addr());
            fd.ioasMap(IoasMap.of(RW, ioas, f.addr(), 0x1000, f.addr()));
            MemorySegment resp = MemorySegment.ofArray(new byte[PageResponse.SIZE]);
            new PageResponse(f.cookie(), IOMMUFD_PAGE_RESP_SUCCESS).encode(resp);
            q.write(resp, 0);
            assertFalse(rig.pasidEdu.dmaRunning());
            assertEquals((byte) 0x11, rig.ramByte(0x91ff));
            assertEquals(0x600L, rig.pasidEdu.dmaBytesMoved());

            rig.device.detachIommufdPt(DetachPt.pasid(0x42));
            IommufdRig.eduDma(rig.device, va + 0x3000, 0, 0x10, true, 0x42);
            assertEquals(1L, rig.pasidEdu.pasidDmaFailures(), "a detached PASID blocks DMA; its page request is answered invalid");
        }
    }

    @Test
    @DisplayName("seed 001: BIND_TASK, PASID DMA to the buffer's virtual addresses with no mapping at all, unbind with each release flag")
    void seedBindTask() {
        try (IommufdRig rig = IommufdRig.unbound(); VfioContainer c = VfioContainer.open(rig.platform);
                VfioGroup g = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(IommufdRig.PASID_EDU))) {
            rig.vfio.setPasidApi(PasidApi.SEED);
            g.setContainer(c);
            c.setIommu(VfioUapi.VFIO_TYPE1v2_IOMMU);
            try (VfioDevice dev = g.getDeviceFd(IommufdRig.PASID_EDU.toString())) {
                IommufdRig.enableBusMaster(dev);
                long va = rig.ram.address().value();
                int pasid = dev.bindTask(VfioDeviceSvm.bind()).pasid();
                rig.fill(0x2000, 0x100, (byte) 0x5e);
                IommufdRig.eduDma(dev, va + 0x2000, 0, 0x100, false, pasid);
                IommufdRig.eduDma(dev, va + 0x7000, 0, 0x100, true, pasid);
                assertEquals((byte) 0x5e, rig.ramByte(0x70ff));
                assertEquals(0L, rig.pasidEdu.pageRequests());

                // memory the process no longer has: the SVA fault handler answers the page request invalid
                HostMapping gone = rig.memory.allocate("gone", 0x1000);
                long goneVa = gone.address().value();
                gone.close();
                IommufdRig.eduDma(dev, goneVa, 0, 0x10, true, pasid);
                assertEquals(1L, rig.pasidEdu.pageRequests());
                assertEquals(1L, rig.pasidEdu.pasidDmaFailures());

                dev.unbindTask(VfioDeviceSvm.unbind(pasid, SeedSvm.VFIO_SVM_PASID_RELEASE_CLEAN));
                int again = dev.bindTask(VfioDeviceSvm.bind()).pasid();
                assertEquals(pasid, again);
                dev.unbindTask(VfioDeviceSvm.unbind(again, SeedSvm.VFIO_SVM_PASID_RELEASE_FLUSHED));
                int third = dev.bindTask(VfioDeviceSvm.bind()).pasid();
                dev.unbindTask(VfioDeviceSvm.unbind(third, 0));
                assertEquals(1L, rig.vfio.seedSvm().leakedPasids());
                assertEquals(2L, rig.vfio.seedSvm().releasedPasids());
                IommufdRig.eduDma(dev, va + 0x7000, 0, 0x10, true, third);
                assertEquals(2L, rig.pasidEdu.pasidDmaFailures(), "an unbound PASID is blocked");
            }
        }
    }
}
