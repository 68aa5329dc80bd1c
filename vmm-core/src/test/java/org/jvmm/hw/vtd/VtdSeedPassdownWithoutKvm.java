package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.hw.vtd.VtdRegs.*;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.hw.vfio.VfioType1Space;
import org.jvmm.memory.RamRegion;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.PasidApi;
import org.jvmm.vfio.SeedVsvm;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * {@code pasid-api=seed} without a guest CPU (the host-side cover of the pasid-* KVM guests in
 * seed mode; reference B-6): the device on a TYPE1 container, the guest's PASID table passed down
 * with BIND_PASIDTP, PASID-cache and IOTLB invalidations passed down, faults back through the
 * device's fault handler, and an unbind with each release flag leaving PASID 5 blocked.
 */
class VtdSeedPassdownWithoutKvm {
    private static final PciAddress EDU = EduPasidHost.EDU;
    private static final long VA = VtdFirstStageTranslation.VA;
    private final HostMemoryRegistry registry = new HostMemoryRegistry();
    private final EduDevice edu = EduDevice.withPasid();
    private final HostPciPlatform platform = EduPasidHost.platform(registry, edu);
    private final VtdGuest g = new VtdGuest(RamRegion.allocate(registry, "ram", 4 << 20));
    private final VfioType1Space space = new VfioType1Space(platform, g.memory);
    private final VfioDevice device = space.openDevice(EDU);
    private VtdSeedBackend backend;
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

    private void bound(int release) {
        Vfio.of(platform).setPasidApi(PasidApi.SEED);
        backend = new VtdSeedBackend(device, VtdGuest.SID, g.iommu, release);
        g.iommu.attachBackend(VtdGuest.SID, backend);
        regionWrite(VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX, 4, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        g.enable(false);
        pml4 = g.newTable();
        g.map(pml4, VA, 0x10_0000, FS_P | FS_RW | FS_US);
        g.map(pml4, VA + 0x1000, 0x11_0000, FS_P | FS_RW | FS_US);
        g.pasidEntry(5, 7, pml4, false);
        g.pasidCacheInvalidate(7, 5);
    }

    @Test
    @DisplayName("the guest's PASID table is passed down; the edu copies between GVAs; a PTE change is seen only after the passed-down IOTLB invalidation; a fault is recorded as 0x71")
    void copyStaleAndFault() {
        bound(SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN);
        assertTrue(Vfio.of(platform).seedVsvm().bound(platform.function("test", EDU)));
        g.ram.segment().asSlice(0x10_0000, 128).fill((byte) 0x44);
        eduDma(VA, 128, false);
        eduDma(VA + 0x1000, 128, true);
        assertEquals(0x4444_4444_4444_4444L, g.read64(0x11_0000));
        g.map(pml4, VA + 0x1000, 0x12_0000, FS_P | FS_RW | FS_US);
        eduDma(VA + 0x1000, 128, true);
        assertEquals(0, g.read64(0x12_0000), "stale translation in the host's cache");
        g.piotlbPage(7, 5, VA + 0x1000, 0, true);
        eduDma(VA + 0x1000, 128, true);
        assertEquals(0x4444_4444_4444_4444L, g.read64(0x12_0000));
        g.map(pml4, VA + 0x1000, 0, 0);
        g.piotlbPage(7, 5, VA + 0x1000, 0, true);
        eduDma(VA + 0x1000, 128, true);
        assertEquals(List.of(new VtdIommu.Fault(0x71, VtdGuest.SID, 5, VA + 0x1000, true)), g.iommu.faultLog());
        assertEquals(List.of(), g.iommu.backendErrors());
        assertEquals(3, Vfio.of(platform).seedVsvm().invalidations(), "PASID_CACHE and two EXTENDED_IOTLB");
    }

    @ParameterizedTest(name = "release flags {0}")
    @ValueSource(ints = {SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN, SeedVsvm.VFIO_SVM_PASID_RELEASE_FLUSHED, 0})
    @DisplayName("teardown: clearing the entry unbinds the table with the release flag given (neither: counted as leaked); a later DMA with PASID 5 is blocked")
    void teardownWithEachReleaseFlag(int release) {
        bound(release);
        g.clearPasidEntry(5);
        g.pasidCacheInvalidate(7, 5);
        assertFalse(Vfio.of(platform).seedVsvm().bound(platform.function("test", EDU)));
        assertEquals(1, Vfio.of(platform).seedVsvm().unbinds());
        assertEquals(release == 0 ? 1 : 0, Vfio.of(platform).seedVsvm().leaked(), "neither flag: the PASIDs leak");
        eduDma(VA, 64, false);
        assertEquals(0, edu.dmaBytesMoved());
        assertEquals(1, edu.pasidDmaFailures());
    }
}
