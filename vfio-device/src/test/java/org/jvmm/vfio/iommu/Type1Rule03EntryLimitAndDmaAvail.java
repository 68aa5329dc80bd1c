package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.testing.SimpleFunction;
import org.jvmm.testing.Type1Rig;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 3 (Linux drivers/vfio/vfio_iommu_type1.c): The number of mappings is limited
 * (dma_entry_limit, default 65535); past it, ENOSPC. The remaining count is reported by the
 * DMA_AVAIL capability of GET_INFO.
 */
@DisplayName("TYPE1 rule 3: past dma_entry_limit (default 65535) MAP is ENOSPC; DMA_AVAIL reports what is left")
class Type1Rule03EntryLimitAndDmaAvail {
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    private static int avail(VfioContainer c) {
        return ((Type1Info) c.iommuGetInfo(4096)).capability(Type1InfoCapability.DmaAvail.class).avail();
    }

    @Test
    void defaultLimitIs65535AndTheLastMapPastItIsEnospc() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            rig.memlock.setPrivileged(true); // 256 MiB of pins
            assertEquals(65535, avail(rig.container));
            var b = rig.ram.address();
            for (int i = 0; i < 65535; i++) {
                rig.container.mapDma(new DmaMap(RW, b, Iova.of((long) i << 12), 4096));
            }
            assertEquals(0, avail(rig.container));
            assertErrno(Errno.ENOSPC, "VFIO_IOMMU_MAP_DMA", () -> rig.container.mapDma(new DmaMap(RW, b, Iova.of(1L << 32), 4096)));
            assertEquals(65535, rig.iommu().mappingCount());
            rig.container.unmapDma(new DmaUnmap(0, Iova.of(0), 4096));
            assertEquals(1, avail(rig.container));
            rig.container.mapDma(new DmaMap(RW, b, Iova.of(1L << 32), 4096));
            assertEquals(0, avail(rig.container));
        }
    }

    @Test
    void aConfiguredLimitIsEnforced() {
        var memory = new HostMemoryRegistry();
        var p = HostKernel.builder().memory(memory).iommuDriver(new Type1Driver(2))
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint("0000:01:00.0", SimpleFunction.of(0x1234, 0x1, 0xff0000), null, true).build();
        p.newId("vfio-pci", 0x1234, 0x1);
        try (var ram = memory.allocate("ram", 1 << 16); var c = VfioContainer.open(p);
                var g = VfioGroup.open(p, p.iommuGroupOf(org.jvmm.pci.PciAddress.parse("0000:01:00.0")))) {
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            assertEquals(2, avail(c));
            c.mapDma(new DmaMap(RW, ram.address(), Iova.of(0), 4096));
            c.mapDma(new DmaMap(RW, ram.address(), Iova.of(4096), 4096));
            assertErrno(Errno.ENOSPC, "VFIO_IOMMU_MAP_DMA", () -> c.mapDma(new DmaMap(RW, ram.address(), Iova.of(8192), 4096)));
            assertEquals(0, avail(c));
        }
    }
}
