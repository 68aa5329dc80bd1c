package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.iommu.Type1Assertions.assertErrno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.testing.Type1Rig;
import org.jvmm.iommu.FaultReason;

/**
 * IOVAs, vaddrs and sizes are unsigned 64-bit (vfio_iommu_type1.c compares them as such). This
 * host's IOMMU reports usable IOVAs up to 2^48 - 1 (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE): a
 * mapping at 2^63 or in the last page below 2^64 is EINVAL naming the ranges, not a negative IOVA
 * slipping below them; a mapping ending at the top of the usable space is ordinary, a device DMA
 * across the last two mappings moves every byte, and one at 2^63 or running past 2^64 faults.
 * A vaddr at the top bit is EFAULT, a wrapping one EINVAL.
 */
@DisplayName("TYPE1: IOVAs at 2^63 and near 2^64 are EINVAL or fault, never wrap; a top-bit vaddr is EFAULT")
class Type1IovasAreUnsigned {
    private static final String OP = "VFIO_IOMMU_MAP_DMA";
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    private static final long TOP_BIT = 0x8000_0000_0000_0000L;
    private static final long LAST_PAGE = 0xffff_ffff_ffff_f000L;
    private static final long LAST_USABLE_PAGE = 0xffff_ffff_f000L;
    private Type1Rig rig;
    private HostAddress base;

    @BeforeEach
    void open() {
        rig = Type1Rig.open(VFIO_TYPE1v2_IOMMU);
        base = rig.ram.address();
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void mappingsAtTheTopBitOrInTheLastPageAreEinvalNamingTheUsableRanges() {
        for (long iova : new long[] {TOP_BIT, LAST_PAGE, LAST_USABLE_PAGE + 4096}) {
            var e = assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, base, Iova.of(iova), 4096)));
            assertEquals(true, e.getMessage().contains("iova range outside the usable IOVA ranges"), e.getMessage());
        }
        assertEquals(0, rig.iommu().mappingCount());
        assertEquals(0, rig.memlock.lockedBytes());
    }

    @Test
    void aDeviceDmaAcrossTheLastTwoUsablePagesMovesEveryByteAndTopBitOrWrappingOnesFault() {
        rig.container.mapDma(new DmaMap(RW, base, Iova.of(LAST_USABLE_PAGE - 4096), 4096));
        rig.container.mapDma(new DmaMap(RW, base.plus(4096), Iova.of(LAST_USABLE_PAGE), 4096));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096).fill((byte) 0x5a);
            assertNull(rig.iommu().transfer(Iova.of(LAST_USABLE_PAGE - 2048), buf, true));
            assertEquals((byte) 0x5a, rig.ram.segment().get(ValueLayout.JAVA_BYTE, 2048));
            assertEquals((byte) 0x5a, rig.ram.segment().get(ValueLayout.JAVA_BYTE, 4096 + 2047));
            assertEquals((byte) 0, rig.ram.segment().get(ValueLayout.JAVA_BYTE, 4096 + 2048));
            MemorySegment past = arena.allocate(8192);
            assertEquals(FaultReason.UNMAPPED, rig.iommu().transfer(Iova.of(LAST_USABLE_PAGE), past, false));
            assertEquals(FaultReason.UNMAPPED, rig.iommu().transfer(Iova.of(TOP_BIT), buf, false));
            assertEquals(FaultReason.UNMAPPED, rig.iommu().transfer(Iova.of(LAST_PAGE + 2048), buf, false));
        }
    }

    @Test
    void aVaddrAtTheTopBitIsEfaultAndAWrappingOneEinval() {
        assertErrno(Errno.EFAULT, OP, () -> rig.container.mapDma(new DmaMap(RW, new HostAddress(TOP_BIT), Iova.of(0), 4096)));
        assertErrno(Errno.EINVAL, OP, () -> rig.container.mapDma(new DmaMap(RW, new HostAddress(LAST_PAGE), Iova.of(0), 8192)));
        assertEquals(0, rig.iommu().mappingCount());
        assertEquals(0, rig.memlock.lockedBytes());
    }
}
