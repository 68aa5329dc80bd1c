package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.pci.host.IommuHardware;
import org.jvmm.pci.host.IovaRange;
import org.jvmm.testing.Type1Rig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 9 (Linux drivers/vfio/vfio_iommu_type1.c): GET_INFO: iova_pgsizes is the AND of every
 * domain's page-size bitmap with sizes below the host page hidden; capabilities IOVA_RANGE,
 * MIGRATION, DMA_AVAIL are chained; if they do not fit in argsz, argsz is raised to the size
 * needed and returned.
 */
@DisplayName("TYPE1 rule 9: GET_INFO page sizes (sub-page sizes hidden), the MIGRATION/DMA_AVAIL/IOVA_RANGE chain, argsz growth")
class Type1Rule09GetInfoCapabilityChain {
    // 24 (info) + 32 (migration) + 16 (dma avail, 12 padded) + 16 + 2 * 16 (two iova ranges)
    private static final int NEEDED = 24 + 32 + 16 + 48;

    @Test
    void smallArgszIsRaisedToTheSizeNeededWithoutCaps() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            Type1Info info = (Type1Info) rig.container.iommuGetInfo(24);
            assertEquals(NEEDED, info.argsz());
            assertEquals(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info.flags());
            assertEquals(0, info.capOffset());
            assertEquals(List.of(), info.caps());
            assertEquals(0x4020_1000L, info.iovaPgsizes());
            byte[] raw = info.encode();
            assertEquals(24, raw.length);
            assertEquals(NEEDED, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        }
    }

    @Test
    void argszBelowTheMinimumIsEinval() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            assertErrno(Errno.EINVAL, "VFIO_IOMMU_GET_INFO", () -> rig.container.iommuGetInfo(15));
        }
    }

    @Test
    void largeEnoughArgszGetsTheChainInOrder() {
        try (Type1Rig rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU)) {
            Type1Info info = (Type1Info) rig.container.iommuGetInfo(NEEDED);
            assertEquals(NEEDED, info.argsz());
            assertEquals(24, info.capOffset());
            assertEquals(List.of(new Type1InfoCapability.Migration(0, 4096, 256L << 20), new Type1InfoCapability.DmaAvail(65535),
                    new Type1InfoCapability.IovaRanges(List.of(new IovaRange(0, 0xfedf_ffffL),
                            new IovaRange(0xfef0_0000L, (1L << 48) - 1)))), info.caps());
            ByteBuffer b = ByteBuffer.wrap(info.encode()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(NEEDED, b.capacity());
            assertEquals(24, b.getInt(16));
            // header chain: migration at 24 -> dma avail at 56 -> iova range at 72 -> end
            assertEquals(2, b.getShort(24));
            assertEquals(56, b.getInt(28));
            assertEquals(3, b.getShort(56));
            assertEquals(72, b.getInt(60));
            assertEquals(65535, b.getInt(64));
            assertEquals(1, b.getShort(72));
            assertEquals(0, b.getInt(76));
            assertEquals(2, b.getInt(80));
            assertEquals(0xfef0_0000L, b.getLong(104));
        }
    }

    @Test
    void pageSizesBelowTheHostPageAreHiddenAndTheHostPageShown() {
        var hw = new IommuHardware(0x1000_0200L | 0x800, new IovaRange(0, (1L << 39) - 1), List.of());
        var memory = new org.jvmm.host.memory.HostMemoryRegistry();
        var p = org.jvmm.host.kernel.HostKernel.builder().memory(memory).iommu(hw)
                .endpoint("0000:00:04.0", org.jvmm.testing.SimpleFunction.of(0x1234, 0x2, 0xff0000), null, true).build();
        p.newId("vfio-pci", 0x1234, 0x2);
        try (var c = org.jvmm.vfio.VfioContainer.open(p); var g = org.jvmm.vfio.VfioGroup.open(p, 0)) {
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1_IOMMU);
            Type1Info info = (Type1Info) c.iommuGetInfo(4096);
            assertEquals(0x1000_1000L, info.iovaPgsizes());
            assertArrayEquals(new Object[] {new IovaRange(0, (1L << 39) - 1)},
                    info.capability(Type1InfoCapability.IovaRanges.class).ranges().toArray());
        }
    }
}
