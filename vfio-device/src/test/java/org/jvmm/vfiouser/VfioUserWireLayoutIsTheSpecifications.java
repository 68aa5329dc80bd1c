package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.jvmm.vfiouser.VfioUserPayloads.DeviceInfo;
import org.jvmm.vfiouser.VfioUserPayloads.DmaAccess;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.jvmm.vfiouser.VfioUserPayloads.DmaUnmap;
import org.jvmm.vfiouser.VfioUserPayloads.IrqInfo;
import org.jvmm.vfiouser.VfioUserPayloads.RegionAccess;
import org.jvmm.vfiouser.VfioUserPayloads.RegionInfo;
import org.jvmm.vfiouser.VfioUserPayloads.SetIrqs;
import org.jvmm.vfiouser.VfioUserPayloads.Version;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vfio-user wire format: header, command numbers and payloads laid out as docs/vfio-user.rst, little-endian")
class VfioUserWireLayoutIsTheSpecifications {
    private static final HexFormat HEX = HexFormat.of();

    private static String hex(java.util.function.Consumer<ByteBuffer> enc, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        enc.accept(b);
        assertEquals(size, b.position(), "encoded size");
        return HEX.formatHex(b.array());
    }

    @Test
    void commandNumbersAreTheSpecifications() {
        assertEquals(1, VfioUserCommand.VERSION.number());
        assertEquals(2, VfioUserCommand.DMA_MAP.number());
        assertEquals(3, VfioUserCommand.DMA_UNMAP.number());
        assertEquals(4, VfioUserCommand.DEVICE_GET_INFO.number());
        assertEquals(5, VfioUserCommand.DEVICE_GET_REGION_INFO.number());
        assertEquals(6, VfioUserCommand.DEVICE_GET_REGION_IO_FDS.number());
        assertEquals(7, VfioUserCommand.DEVICE_GET_IRQ_INFO.number());
        assertEquals(8, VfioUserCommand.DEVICE_SET_IRQS.number());
        assertEquals(9, VfioUserCommand.REGION_READ.number());
        assertEquals(10, VfioUserCommand.REGION_WRITE.number());
        assertEquals(11, VfioUserCommand.DMA_READ.number());
        assertEquals(12, VfioUserCommand.DMA_WRITE.number());
        assertEquals(13, VfioUserCommand.DEVICE_RESET.number());
        assertEquals(16, VfioUserCommand.DEVICE_FEATURE.number());
        assertEquals(VfioUserCommand.REGION_WRITE, VfioUserCommand.of(10));
        assertNull(VfioUserCommand.of(14), "14 (the old dirty-pages command) is not served");
        assertNull(VfioUserCommand.of(0));
        assertNull(VfioUserCommand.of(0xffff));
    }

    /** Header: id u16, command u16, size u32 (incl. the 16-byte header), flags u32, error u32. */
    @Test
    void headerIsSixteenBytesLittleEndian() {
        VfioUserHeader h = VfioUserHeader.command(0x1234, VfioUserCommand.REGION_READ, RegionAccess.SIZE);
        assertEquals("3412" + "0900" + "20000000" + "00000000" + "00000000", HEX.formatHex(h.toBytes()));
        VfioUserHeader back = VfioUserHeader.decode(ByteBuffer.wrap(h.toBytes()));
        assertEquals(h, back);
        assertEquals(16, back.payloadSize());
        assertFalse(back.isReply());
    }

    @Test
    void errorReplyEchoesIdAndCommandWithTypeReplyErrorBitAndErrno() {
        VfioUserHeader req = VfioUserHeader.command(0xfffe, VfioUserCommand.DMA_MAP, DmaMap.SIZE);
        VfioUserHeader err = VfioUserHeader.errorReply(req, 22);
        assertEquals("feff" + "0200" + "10000000" + "21000000" + "16000000", HEX.formatHex(err.toBytes()));
        assertTrue(err.isReply());
        assertTrue(err.isError());
        VfioUserHeader ok = VfioUserHeader.reply(req, 0);
        assertEquals(1, ok.flags());
        assertFalse(ok.isError());
    }

    @Test
    void noReplyFlagIsBitFour() {
        VfioUserHeader h = VfioUserHeader.decode(ByteBuffer.wrap(HEX.parseHex("0100" + "0a00" + "10000000" + "10000000" + "00000000")));
        assertTrue(h.noReply());
        assertEquals(VfioUserHeader.TYPE_COMMAND, h.type());
    }

    @Test
    void headerShorterThanSixteenOrSizeBelowSixteenCannotBeFramed() {
        assertNull(VfioUserHeader.decode(ByteBuffer.allocate(15)));
        assertNull(VfioUserHeader.decode(ByteBuffer.wrap(HEX.parseHex("0100" + "0100" + "0f000000" + "00000000" + "00000000"))));
    }

    @Test
    void headerSizeIsUnsigned() {
        VfioUserHeader h = VfioUserHeader.decode(ByteBuffer.wrap(HEX.parseHex("0100" + "0a00" + "ffffffff" + "00000000" + "00000000")));
        assertEquals(0xffffffff, h.size(), "a 4 GiB - 1 size is kept, for the oversize check to refuse");
    }

    @Test
    void versionIsMajorMinorThenNulTerminatedJson() {
        byte[] v = new Version(0, 1, 8, 1L << 20).toBytes();
        String json = "{\"capabilities\":{\"max_msg_fds\":8,\"max_data_xfer_size\":1048576}}";
        assertEquals("0000" + "0100" + HEX.formatHex(json.getBytes(StandardCharsets.US_ASCII)) + "00", HEX.formatHex(v));
        assertEquals(new Version(0, 1, 8, 1L << 20), Version.decode(ByteBuffer.wrap(v)));
    }

    @Test
    void versionWithoutCapabilitiesTakesTheDefaults() {
        Version v = Version.decode(ByteBuffer.wrap(HEX.parseHex("0000" + "0100" + "7b7d00")));
        assertEquals(new Version(0, 1, 1, 1L << 20), v);
        assertNull(Version.decode(ByteBuffer.wrap(HEX.parseHex("0000"))));
    }

    @Test
    void dmaMapIsArgszFlagsOffsetAddressSize() {
        assertEquals(32, DmaMap.SIZE);
        DmaMap m = new DmaMap(32, DmaMap.FLAG_READ | DmaMap.FLAG_WRITE, 0x1000, 0xfedc_ba98_7654_0000L, 0x20_0000);
        assertEquals("20000000" + "03000000" + "0010000000000000" + "0000547698badcfe" + "0000200000000000",
                hex(m::encode, 32));
        ByteBuffer b = ByteBuffer.allocate(32);
        m.encode(b);
        assertEquals(m, DmaMap.decode(b.flip()));
        assertNull(DmaMap.decode(ByteBuffer.allocate(31)));
    }

    @Test
    void dmaUnmapIsArgszFlagsAddressSize() {
        DmaUnmap u = new DmaUnmap(24, DmaUnmap.FLAG_ALL, 0x10000, 0x1000);
        assertEquals("18000000" + "02000000" + "0000010000000000" + "0010000000000000", hex(u::encode, 24));
    }

    @Test
    void deviceRegionAndIrqInfoAreVfiosStructs() {
        assertEquals("10000000" + "02000000" + "09000000" + "05000000",
                hex(new DeviceInfo(16, 2, 9, 5)::encode, DeviceInfo.SIZE));
        assertEquals("20000000" + "07000000" + "00000000" + "00000000" + "0000100000000000" + "0000000000000000",
                hex(new RegionInfo(32, 7, 0, 0, 0x100000, 0)::encode, RegionInfo.SIZE));
        assertEquals("10000000" + "09000000" + "02000000" + "01000000",
                hex(new IrqInfo(16, 9, 2, 1)::encode, IrqInfo.SIZE));
        assertEquals("14000000" + "24000000" + "02000000" + "00000000" + "01000000",
                hex(new SetIrqs(20, 0x24, 2, 0, 1)::encode, SetIrqs.SIZE));
    }

    @Test
    void regionAndDmaAccessAreOffsetRegionCountAndAddressCount() {
        assertEquals("8000000000000000" + "00000000" + "04000000", hex(new RegionAccess(0x80, 0, 4)::encode, 16));
        assertEquals("0010000000000000" + "0001000000000000", hex(new DmaAccess(0x1000, 0x100)::encode, 16));
        ByteBuffer b = ByteBuffer.wrap(HEX.parseHex("ffffffffffffffff" + "05000000" + "08000000"));
        assertEquals(new RegionAccess(-1L, 5, 8), RegionAccess.decode(b));
    }
}
