package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.jvmm.vfiouser.VfioUserPayloads.DmaAccess;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.jvmm.vfiouser.VfioUserPayloads.DmaUnmap;
import org.jvmm.vfiouser.VfioUserPayloads.RegionInfo;
import org.jvmm.vfiouser.VfioUserPayloads.SparseMmap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The DMA payloads and the region-fd capability byte for byte: DMA_MAP (argsz, flags with read
 * bit 0 and write bit 1, offset into the fd, address, size; the fd itself travels as the
 * message's one SCM_RIGHTS descriptor), DMA_UNMAP (argsz, flags with get-dirty-bitmap bit 0 and
 * unmap-all bit 1, address, size), DMA_READ / DMA_WRITE (address, count, data) and the sparse
 * mmap capability after a region info (id 1, version 1, next, nr_areas, reserved, areas).
 */
@DisplayName("vfio-user wire format: DMA_MAP/UNMAP, DMA_READ/WRITE and the sparse mmap capability as the specification lays them out")
class VfioUserDmaAndRegionFdPayloadsAreTheSpecifications {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void dmaMapReadOnlyAtTopBitAddressEncodesAndDecodesUnsigned() {
        DmaMap m = new DmaMap(DmaMap.SIZE, DmaMap.FLAG_READ, 0xffff_ffff_ffff_f000L, 0x8000_0000_0000_0000L, 0x1000);
        assertEquals("20000000" + "01000000" + "00f0ffffffffffff" + "0000000000000080" + "0010000000000000",
                HEX.formatHex(m.toBytes()));
        assertEquals(m, DmaMap.decode(ByteBuffer.wrap(m.toBytes())));
    }

    @Test
    void dmaUnmapFlagBitsAreDirtyBitmapZeroAndAllOne() {
        assertEquals(1, DmaUnmap.FLAG_GET_DIRTY_BITMAP);
        assertEquals(2, DmaUnmap.FLAG_ALL);
        DmaUnmap u = new DmaUnmap(DmaUnmap.SIZE, DmaUnmap.FLAG_GET_DIRTY_BITMAP, 0xfffff000L, 0x2000);
        assertEquals("18000000" + "01000000" + "00f0ffff00000000" + "0020000000000000", HEX.formatHex(u.toBytes()));
        assertEquals(u, DmaUnmap.decode(ByteBuffer.wrap(u.toBytes())));
        assertNull(DmaUnmap.decode(ByteBuffer.allocate(DmaUnmap.SIZE - 1)));
    }

    @Test
    void dmaWriteCommandCarriesAddressCountThenTheData() {
        DmaAccess a = new DmaAccess(0x4_0000_1000L, 3);
        assertEquals("0010000004000000" + "0300000000000000" + "aabbcc",
                HEX.formatHex(a.withData(new byte[] {(byte) 0xaa, (byte) 0xbb, (byte) 0xcc})));
        assertEquals("0010000004000000" + "0300000000000000", HEX.formatHex(a.toBytes()));
        assertEquals(a, DmaAccess.decode(ByteBuffer.wrap(a.withData(new byte[3]))));
        assertNull(DmaAccess.decode(ByteBuffer.allocate(15)));
    }

    @Test
    void regionInfoFlagsAreVfiosReadWriteMmapCaps() {
        assertEquals(1, RegionInfo.FLAG_READ);
        assertEquals(2, RegionInfo.FLAG_WRITE);
        assertEquals(4, RegionInfo.FLAG_MMAP);
        assertEquals(8, RegionInfo.FLAG_CAPS);
    }

    @Test
    void sparseMmapCapabilityIsHeaderCountReservedThenOffsetSizePairs() {
        SparseMmap s = new SparseMmap(new long[] {0, 0x3000}, new long[] {0x1000, 0xd000});
        assertEquals(48, s.byteSize());
        ByteBuffer b = ByteBuffer.allocate(s.byteSize());
        s.encode(b);
        assertEquals("0100" + "0100" + "00000000" + "02000000" + "00000000"
                + "0000000000000000" + "0010000000000000" + "0030000000000000" + "00d0000000000000",
                HEX.formatHex(b.array()));
        assertEquals(s, SparseMmap.decode(b.flip()));
    }

    @Test
    void sparseMmapShorterThanItsAreasOrAnotherCapabilityDoesNotDecode() {
        assertNull(SparseMmap.decode(ByteBuffer.wrap(HEX.parseHex("0100" + "0100" + "00000000" + "02000000" + "00000000"
                + "0000000000000000" + "0010000000000000"))), "two areas announced, one present");
        assertNull(SparseMmap.decode(ByteBuffer.wrap(HEX.parseHex("0200" + "0100" + "00000000" + "00000000" + "00000000"))),
                "id 2 is the region type capability, not sparse mmap");
        assertNull(SparseMmap.decode(ByteBuffer.allocate(15)));
    }
}
