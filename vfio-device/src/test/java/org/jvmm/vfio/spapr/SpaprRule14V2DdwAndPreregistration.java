package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 14 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): v2: attaching a group needs dynamic-DMA-
 * window support (EINVAL otherwise); REGISTER_MEMORY needs page-aligned vaddr/size with no
 * wraparound (EINVAL), a duplicate is EBUSY; UNREGISTER_MEMORY of an unknown range is ENOENT.
 * MAP_DMA in v2 needs the vaddr pre-registered.
 */
@DisplayName("Rule 14: v2 needs DDW, pre-registration is page aligned, unique and known, MAP_DMA uses only pre-registered memory")
class SpaprRule14V2DdwAndPreregistration {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void v2OnAPhbWithoutDynamicWindowsIsEinvalAndV1StillWorks() {
        try (SpaprRig rig = new SpaprRig(PnvPhbConfig.legacy(), 1L << 32)) {
            VfioGroup g = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(SpaprRig.EDU));
            g.setContainer(rig.container);
            assertErrno(Errno.EINVAL, "VFIO_GROUP_SET_CONTAINER", () -> rig.container.setIommu(VFIO_SPAPR_TCE_v2_IOMMU));
            assertNull(rig.container.backend());
            rig.container.setIommu(VFIO_SPAPR_TCE_IOMMU);
            assertEquals(VFIO_SPAPR_TCE_IOMMU, rig.container.backend().type());
            g.close();
        }
    }

    @Test
    void registerRejectsMisalignmentAndWraparoundAndDuplicates() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 20)) {
            String op = "VFIO_IOMMU_SPAPR_REGISTER_MEMORY";
            HostAddress a = ram.address();
            assertErrno(Errno.EINVAL, op, () -> rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(a.plus(1), 4096)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(a, 4095)));
            assertErrno(Errno.EINVAL, op,
                    () -> rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(new HostAddress(-4096L), 8192)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.spaprRegisterMemory(new SpaprRegisterMemory(24, 1, a, 4096)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.spaprRegisterMemory(new SpaprRegisterMemory(23, 0, a, 4096)));
            assertEquals(0, rig.memlock.lockedBytes());
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(a, 1 << 20));
            assertEquals(1L << 20, rig.memlock.lockedBytes());
            assertErrno(Errno.EBUSY, op, () -> rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(a, 1 << 20)));
            assertEquals(1, rig.phb.preregistered().regionCount());
            assertEquals(1L << 20, rig.memlock.lockedBytes());
        }
    }

    @Test
    void unregisterOfAnUnknownRangeIsEnoentAndOfAMappedOneEbusy() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 20)) {
            String op = "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY";
            HostAddress a = ram.address();
            assertErrno(Errno.ENOENT, op, () -> rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(a, 1 << 20)));
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(a, 1 << 20));
            assertErrno(Errno.ENOENT, op, () -> rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(a, 1 << 19)));
            assertErrno(Errno.EINVAL, op, () -> rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(a.plus(8), 4096)));
            rig.container.mapDma(new DmaMap(RW, a, Iova.of(0x10000), 0x2000));
            assertErrno(Errno.EBUSY, op, () -> rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(a, 1 << 20)));
            rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0x2000));
            rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(a, 1 << 20));
            assertEquals(0, rig.phb.preregistered().regionCount());
        }
    }

    @Test
    void mapDmaNeedsTheVaddrPreRegisteredAndAFailedMapLeavesNothing() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 20)) {
            HostAddress a = ram.address();
            // before any registration the container is not enabled
            assertErrno(Errno.EPERM, "VFIO_IOMMU_MAP_DMA", () -> rig.container.mapDma(new DmaMap(RW, a, Iova.of(0), 4096)));
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(a, 0x4000));
            // the last page of this map is not registered: nothing is written
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_MAP_DMA", () -> rig.container.mapDma(new DmaMap(RW, a, Iova.of(0), 0x5000)));
            for (long e = 0; e < 5; e++) {
                assertEquals(0, rig.iommu().table(0).get(e));
            }
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, a, Iova.of(0), 0x4000));
            assertEquals(a.value() + 0x3000 | 1, rig.iommu().table(0).get(3));
            assertEquals(4, rig.phb.preregistered().lookup(a.value(), 4096).mappedCount());
        }
    }
}
