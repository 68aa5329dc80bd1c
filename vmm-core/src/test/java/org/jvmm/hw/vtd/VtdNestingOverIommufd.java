package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.hw.vtd.VtdRegs.*;

import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.hw.vfio.VfioIommufdSpace;
import org.jvmm.iommufd.NestedHwpt;
import org.jvmm.memory.RamRegion;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * {@code pasid-api=iommufd} end to end without a guest CPU (the host-side cover of the pasid-*
 * KVM guests, reference C-B, B-26, C-20, C-26): the guest's PASID-cache invalidation makes the
 * VMM allocate a VT-d stage-1 HWPT nested on a parent made from the guest-RAM IOAS and attach the
 * host edu's PASID 5 to it; the edu's PASID DMA to a guest virtual address walks the guest's
 * tables in the host; a PASID-IOTLB invalidation is forwarded as HWPT_INVALIDATE; the edu's page
 * requests reach the guest's page request queue through the fault queue, or become recorded
 * faults; clearing the PASID entry detaches the PASID and DMA is blocked.
 */
class VtdNestingOverIommufd {
    private static final PciAddress EDU = EduPasidHost.EDU;
    private static final long VA = VtdFirstStageTranslation.VA;
    private final HostMemoryRegistry registry = new HostMemoryRegistry();
    private final EduDevice edu = EduDevice.withPasid();
    private final HostPciPlatform platform = EduPasidHost.platform(registry, edu);
    private final VtdGuest g = new VtdGuest(RamRegion.allocate(registry, "ram", 4 << 20));
    private final VfioIommufdSpace space = new VfioIommufdSpace("iommufd0", platform, g.memory);
    private final VfioDevice device = space.openDevice(EDU);
    private final VtdIommufdBackend backend = new VtdIommufdBackend(space.iommufd(), device, space.ioasId(), VtdGuest.SID, g.iommu);
    private long pml4;

    @AfterEach
    void close() {
        backend.close();
        device.close();
        space.close();
        g.close();
    }

    private void regionWrite(int region, long off, int size, long v) {
        EduPasidHost.regionWrite(device, region, off, size, v);
    }

    private void eduDma(long va, long count, boolean toRam) {
        EduPasidHost.eduDma(device, va, count, toRam);
    }

    private void bound(boolean pre) {
        g.iommu.attachBackend(VtdGuest.SID, backend);
        regionWrite(VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX, 4, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        g.enable(pre);
        pml4 = g.newTable();
        g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US);
        g.map(pml4, VA + 0x1000, 0x11_0000, FS_P | FS_RW | FS_US);
        g.pasidEntry(5, 7, pml4, false);
        g.pasidCacheInvalidate(7, 5);
        g.waitFor(1, false);
    }

    @Test
    @DisplayName("pasid-dma: the PASID-cache invalidation attaches a nested VTD_S1 HWPT to PASID 5; the edu copies GVA page 0 to GVA page 1 through it")
    void copyThroughTheNestedHwpt() {
        bound(false);
        int h = backend.hwpt(5);
        assertNotEquals(0, h);
        NestedHwpt n = (NestedHwpt) space.iommufd().hwpt(h);
        assertEquals(pml4, n.pgtblAddr());
        assertEquals(48, n.addrWidth());
        assertEquals(n, device.iommufdDevice().attachedPasid(5));
        for (int i = 0; i < 256; i++) {
            g.ram.segment().set(ValueLayout.JAVA_BYTE, 0x10_0000 + i, (byte) i);
        }
        eduDma(VA, 256, false);
        eduDma(VA + 0x1000, 256, true);
        assertEquals(0x0706_0504_0302_0100L, g.read64(0x11_0000));
        assertEquals(0xfffe_fdfc_fbfa_f9f8L, g.read64(0x11_00f8));
        assertEquals(2, n.walks(), "one stage-1 walk per page");
        assertEquals(512, edu.dmaBytesMoved());
        assertEquals(List.of(), g.iommu.backendErrors());
    }

    @Test
    @DisplayName("pasid-stale: the host IOTLB keeps the old page until the guest's page-selective PASID-IOTLB invalidation becomes HWPT_INVALIDATE")
    void staleUntilForwardedInvalidation() {
        bound(false);
        g.ram.segment().asSlice(0x10_0000, 64).fill((byte) 0x11);
        eduDma(VA, 64, false);
        eduDma(VA + 0x1000, 64, true); // caches VA+0x1000 -> 0x110000
        long pte = g.map(pml4, VA + 0x1000, 0x12_0000, FS_P | FS_RW | FS_US);
        assertEquals(0x12_0000L | FS_P | FS_RW | FS_US, g.read64(pte));
        g.ram.segment().asSlice(0x11_0000, 64).fill((byte) 0);
        eduDma(VA + 0x1000, 64, true);
        assertEquals(0x1111_1111_1111_1111L, g.read64(0x11_0000), "stale translation");
        assertEquals(0, g.read64(0x12_0000));
        g.piotlbPage(7, 5, VA + 0x1000, 0, true);
        g.waitFor(2, false);
        assertEquals(2, g.read32(VtdGuest.STATUS));
        assertEquals(1, backend.invalidations());
        eduDma(VA + 0x1000, 64, true);
        assertEquals(0x1111_1111_1111_1111L, g.read64(0x12_0000));
    }

    @Test
    @DisplayName("pasid-faults: a non-present PTE reaches the VMM as a page request, is recorded as 0x71 for PASID 5 and answered INVALID; the edu stops")
    void faultIsRecorded() {
        bound(false);
        g.write64(g.map(pml4, VA + 0x1000, 0x11_0000, 0), 0);
        eduDma(VA + 0x1000, 64, true);
        assertEquals(List.of(new VtdIommu.Fault(0x71, VtdGuest.SID, 5, VA + 0x1000, true)), g.iommu.faultLog());
        assertEquals(FSTS_PPF, g.reg(FSTS, 4));
        assertEquals(1, edu.pasidDmaFailures());
        assertTrue(!edu.dmaRunning());
    }

    @Test
    @DisplayName("pasid-pri: with PRE the request goes to the guest's queue; the guest maps the page and answers SUCCESS; the edu retries and completes")
    void pageRequestServedByTheGuest() {
        bound(true);
        long pte = g.map(pml4, VA + 0x1000, 0, 0);
        g.ram.segment().asSlice(0x10_0000, 64).fill((byte) 0x22);
        eduDma(VA, 64, false);
        eduDma(VA + 0x1000, 64, true);
        assertTrue(edu.dmaRunning(), "waiting for the page response");
        long hi = g.read64(VtdGuest.PRQ + 8);
        assertEquals(VA + 0x1000, hi & ~0xfffL);
        int prgi = (int) (hi >>> 3) & 0x1ff;
        g.write64(pte, 0x13_0000 | FS_P | FS_RW | FS_US);
        g.pageResponse(VtdGuest.SID, 5, prgi, PGRESP_SUCCESS);
        assertTrue(!edu.dmaRunning());
        assertEquals(0x2222_2222_2222_2222L, g.read64(0x13_0000));
        assertEquals(0, g.iommu.faultsRecorded());
        assertEquals(1, edu.pageRequests());
    }

    @Test
    @DisplayName("pasid-teardown: clearing the PASID entry and invalidating the PASID cache detaches PASID 5; a later DMA with it is blocked")
    void teardownDetaches() {
        bound(false);
        g.clearPasidEntry(5);
        g.pasidCacheInvalidate(7, 5);
        assertEquals(0, backend.hwpt(5));
        assertEquals(null, device.iommufdDevice().attachedPasid(5));
        g.ram.segment().asSlice(0x10_0000, 64).fill((byte) 0x33);
        eduDma(VA, 64, false);
        assertEquals(0, edu.dmaBytesMoved());
        assertEquals(1, edu.pasidDmaFailures());
    }
}
