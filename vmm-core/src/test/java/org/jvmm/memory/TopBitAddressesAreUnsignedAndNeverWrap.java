package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.iommu.IommuPermission;

/**
 * Addresses are unsigned 64-bit values: an access at or above 2^63 (a negative {@code long}) is
 * past every range and reads all-ones / drops the write, counted as unassigned, in big- and
 * little-endian spaces; an access that would run past 2^64 never wraps to address 0.
 */
@DisplayName("every address is unsigned: accesses at 2^63 and near 2^64 are unassigned, never wrap")
class TopBitAddressesAreUnsignedAndNeverWrap {
    private static final long TOP_BIT = 0x8000_0000_0000_0000L;
    private static final long LAST = 0xffff_ffff_ffff_ffffL;
    private final HostMemoryRegistry registry = new HostMemoryRegistry();
    private final RamRegion ram = RamRegion.allocate(registry, "ram", 0x1000);

    @AfterEach
    void release() {
        ram.close();
    }

    private AddressSpace space(ByteOrder order) {
        ContainerRegion root = new ContainerRegion("root", 1L << 48);
        root.addSubregion(0, ram);
        return new AddressSpace("as", root, order);
    }

    @Test
    void flatViewLookupAtTheTopBitFindsNothingAndNoRangeAfterIt() {
        FlatView v = space(ByteOrder.BIG_ENDIAN).flatView();
        assertNull(v.lookup(TOP_BIT));
        assertNull(v.lookup(LAST));
        assertEquals(FlatView.NONE, v.nextStart(TOP_BIT));
        assertEquals(FlatView.NONE, v.nextStart(LAST));
        assertEquals(0, v.lookup(0).start());
    }

    @Test
    void guestLoadAtTopBitAddressReadsAllOnes() {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            AddressSpace as = new AddressSpace("as", new ContainerRegion("root", 1L << 48), order);
            assertEquals(0xffL, as.read(new GuestAddress(TOP_BIT), 1));
            assertEquals(0xffffL, as.read(new GuestAddress(TOP_BIT), 2));
            assertEquals(0xffff_ffffL, as.read(new GuestAddress(TOP_BIT), 4));
            assertEquals(-1L, as.read(new GuestAddress(TOP_BIT), 8));
            assertEquals(-1L, as.read(new GuestAddress(TOP_BIT - 4), 8), "straddles 2^63");
            assertEquals(5, as.counters().snapshot().unassignedReads());
        }
    }

    @Test
    void loadsRunningPast2To64ReadAllOnesAndDoNotWrapToAddressZero() {
        AddressSpace as = space(ByteOrder.LITTLE_ENDIAN);
        as.write(new GuestAddress(0), 8, 0x1122334455667788L);
        assertEquals(0xffL, as.read(new GuestAddress(LAST), 1));
        assertEquals(0xffffL, as.read(new GuestAddress(LAST), 2));
        assertEquals(-1L, as.read(new GuestAddress(LAST), 8));
        assertEquals(-1L, as.read(new GuestAddress(LAST - 3), 8));
        assertEquals(4, as.counters().snapshot().unassignedReads());
    }

    @Test
    void storesAtTopBitAndPast2To64AreDroppedAndCounted() {
        AddressSpace as = space(ByteOrder.BIG_ENDIAN);
        as.write(new GuestAddress(TOP_BIT), 1, 0x5a);
        as.write(new GuestAddress(TOP_BIT), 8, 0x5a);
        as.write(new GuestAddress(LAST), 8, 0x5a5a5a5a5a5a5a5aL);
        as.write(new GuestAddress(LAST - 1), 4, 0x5a5a5a5aL);
        assertEquals(4, as.counters().snapshot().unassignedWrites());
        assertEquals(0L, as.read(new GuestAddress(0), 8), "a wrapped store must not reach address 0");
    }

    @Test
    void blockAccessesAtTopBitAndAcross2To64AreUnassignedWhole() {
        AddressSpace as = space(ByteOrder.BIG_ENDIAN);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(32);
            assertEquals(MemTxResult.DECODE_ERROR, as.read(new GuestAddress(TOP_BIT), buf));
            assertEquals(32, countFf(buf));
            buf.fill((byte) 0);
            assertEquals(MemTxResult.DECODE_ERROR, as.read(new GuestAddress(LAST - 15), buf));
            assertEquals(32, countFf(buf));
            buf.fill((byte) 0x77);
            assertEquals(MemTxResult.DECODE_ERROR, as.write(new GuestAddress(LAST - 15), buf));
            assertEquals(MemTxResult.DECODE_ERROR, as.write(new GuestAddress(TOP_BIT), buf));
            assertEquals(0L, ram.segment().get(ValueLayout.JAVA_LONG, 0), "a wrapped block write must not reach address 0");
            assertEquals(2, as.counters().snapshot().unassignedWrites());
        }
    }

    private static int countFf(MemorySegment buf) {
        int n = 0;
        for (long i = 0; i < buf.byteSize(); i++) {
            n += buf.get(ValueLayout.JAVA_BYTE, i) == (byte) 0xff ? 1 : 0;
        }
        return n;
    }

    /** An IOMMU whose one entry covers the whole 2^64 space (mask of all ones) passes accesses through. */
    @Test
    void anIommuPageOfTheWhole64BitSpaceTranslatesSingleAndBlockAccesses() {
        AddressSpace guest = space(ByteOrder.LITTLE_ENDIAN);
        IommuTranslator identity = (offset, access) -> new IommuTlbEntry(new Iova(0), new GuestAddress(0), -1L,
                IommuPermission.READ_WRITE);
        IommuRegion iommu = new IommuRegion("whole", 1L << 40, identity, guest);
        AddressSpace dma = new AddressSpace("dma", iommu, ByteOrder.LITTLE_ENDIAN);
        dma.write(new GuestAddress(0x10), 8, 0xfeedfacecafebeefL);
        assertEquals(0xfeedfacecafebeefL, guest.read(new GuestAddress(0x10), 8));
        assertEquals(0xfeedfacecafebeefL, dma.read(new GuestAddress(0x10), 8));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            assertEquals(MemTxResult.OK, dma.read(new GuestAddress(0x10), buf));
            assertEquals(0xfeedfacecafebeefL, buf.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
        }
        assertEquals(0, dma.counters().snapshot().iommuFaults());
        List<Long> replayed = new ArrayList<>();
        iommu.replay(e -> replayed.add(e.entry().addrMask()));
        assertEquals(List.of(-1L), replayed, "replay of a page reaching 2^64 tells it once and stops");
    }
}
