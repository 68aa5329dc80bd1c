package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.jvmm.pci.host.spapr.TceTable;
import org.jvmm.testing.SpaprRig;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 18 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): Ownership, as the sPAPR IOMMU ownership
 * rework has it (seed 002): taking the group removes the platform's tables; VFIO creates its own;
 * before release VFIO unsets and clears every table it created and the platform recreates its
 * default 32-bit window.
 */
@DisplayName("Rule 18, the sPAPR IOMMU ownership rework (seed 002): taking a PE removes the platform's tables; release unsets and clears VFIO's and restores the default")
class SpaprRule18OwnershipTakeAndRelease {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    @Test
    void atBootThePlatformOwnsThePeWithItsDefault32BitWindow() {
        try (SpaprRig rig = new SpaprRig()) {
            PartitionableEndpoint pe = rig.pe();
            assertSame(PartitionableEndpoint.PLATFORM, pe.owner());
            TceTable t = pe.window(0);
            assertSame(PartitionableEndpoint.PLATFORM, t.owner());
            assertEquals(12, t.pageShift());
            assertEquals(1L << 30, t.windowSize());
            assertNull(pe.window(1));
            assertNull(rig.iommuGroup(SpaprRig.EDU).dmaDomain());
        }
    }

    @Test
    void takingOwnershipRemovesThePlatformTablesAndVfioCreatesItsOwn() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            PartitionableEndpoint pe = rig.pe();
            assertSame(rig.iommu(), pe.owner());
            assertNull(pe.window(0)); // platform table gone, VFIO's default still pending
            assertSame(pe, rig.iommuGroup(SpaprRig.EDU).dmaDomain());
            rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 32, 1));
            assertSame(rig.iommu(), pe.window(0).owner());
            assertSame(rig.iommu(), pe.window(1).owner());
        }
    }

    @Test
    void v2GroupsShareTheContainersTables() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU)) {
            rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 32, 1));
            VfioGroup second = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(SpaprRig.EDU_2));
            second.setContainer(rig.container);
            PartitionableEndpoint pe2 = rig.phb.pe(rig.iommuGroup(SpaprRig.EDU_2));
            assertSame(rig.iommu().table(0), pe2.window(0));
            assertSame(rig.iommu().table(1), pe2.window(1));
            second.close();
            assertSame(PartitionableEndpoint.PLATFORM, pe2.owner());
            assertSame(rig.iommu().table(0), rig.pe().window(0)); // the first group keeps them
        }
    }

    @Test
    void releaseUnsetsAndClearsEveryVfioTableAndThePlatformRecreatesItsDefaultWindow() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16)) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x1000), 0x4000));
            TceTable vfioTable = rig.iommu().table(0);
            assertEquals(ram.address().value() | 3, vfioTable.get(1));
            var iommu = rig.iommu();
            PartitionableEndpoint pe = rig.pe();
            rig.device.close();
            rig.group.close();
            rig.group = null;
            for (long e = 1; e <= 4; e++) {
                assertEquals(0, vfioTable.get(e), "entry " + e + " cleared before release");
            }
            assertSame(PartitionableEndpoint.PLATFORM, pe.owner());
            assertNotSame(vfioTable, pe.window(0));
            assertSame(PartitionableEndpoint.PLATFORM, pe.window(0).owner());
            assertEquals(1L << 30, pe.window(0).windowSize());
            assertNull(rig.iommuGroup(SpaprRig.EDU).dmaDomain());
            assertEquals(0, rig.memlock.lockedBytes(), "tables and pre-registered memory given back");
            assertEquals(0, rig.phb.preregistered().regionCount());
            assertNull(rig.container.backend());
            assertEquals(0, iommu.groups().size());
        }
    }
}
