package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.memory.TestRegions.RecordingOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bulk accessor splits at region boundaries: RAM, ROM, MMIO and holes in one transfer. */
class BulkAccessSplitsAtRegionBoundaries {
    private final HostMemoryRegistry registry = new HostMemoryRegistry();
    private final RamRegion low = RamRegion.allocate(registry, "low", 0x1000);
    private final RamRegion high = RamRegion.allocate(registry, "high", 0x2000);
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void release() {
        low.close();
        high.close();
        arena.close();
    }

    @Test
    void aReadAcrossTwoRamRegionsAndAHoleGetsEveryByteInPlace() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x1000, low);
        root.addSubregion(0x3000, high); // hole at [0x2000, 0x3000)
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 0x1000; i++) {
            low.segment().set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        for (int i = 0; i < 0x2000; i++) {
            high.segment().set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
        }
        MemorySegment dst = arena.allocate(0x2800);
        MemTxResult r = as.read(new GuestAddress(0x1800), dst);
        assertEquals(MemTxResult.DECODE_ERROR, r);
        for (int i = 0; i < 0x800; i++) {
            assertEquals((byte) (0x800 + i), dst.get(ValueLayout.JAVA_BYTE, i), "low byte " + i);
        }
        for (int i = 0x800; i < 0x1800; i++) {
            assertEquals((byte) 0xff, dst.get(ValueLayout.JAVA_BYTE, i), "hole byte " + i);
        }
        for (int i = 0x1800; i < 0x2800; i++) {
            assertEquals((byte) ((i - 0x1800) * 7), dst.get(ValueLayout.JAVA_BYTE, i), "high byte " + i);
        }
    }

    @Test
    void aWriteAcrossRamAndMmioGoesToBothInAlignedPieces() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x0, low);
        RecordingOps ops = new RecordingOps(AccessRules.DEFAULT);
        root.addSubregion(0x1000, new MmioRegion("dev", 0x100, ops));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        MemorySegment src = arena.allocate(0x10 + 13);
        for (int i = 0; i < src.byteSize(); i++) {
            src.set(ValueLayout.JAVA_BYTE, i, (byte) (0x10 + i));
        }
        assertEquals(MemTxResult.OK, as.write(new GuestAddress(0xff0), src));
        for (int i = 0; i < 0x10; i++) {
            assertEquals((byte) (0x10 + i), low.segment().get(ValueLayout.JAVA_BYTE, 0xff0 + i));
        }
        assertEquals(List.of("w8@0=2726252423222120", "w4@8=2b2a2928", "w1@12=2c"), ops.log);
    }

    @Test
    void writesToRomAreDropped() {
        try (RamRegion rom = RamRegion.allocateRom(registry, "rom", 0x1000)) {
            ContainerRegion root = new ContainerRegion("root", 0x100000);
            root.addSubregion(0, rom);
            AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
            MemorySegment src = arena.allocate(16).fill((byte) 0x5a);
            as.write(new GuestAddress(0), src);
            as.write(new GuestAddress(0x20), 4, 0x12345678);
            assertEquals(0, as.read(new GuestAddress(0), 8));
            assertEquals(0, as.read(new GuestAddress(0x20), 4));
            assertEquals(2, as.counters().snapshot().romWritesDropped());
        }
    }

    @Test
    void singleAccessesUseTheMachinesByteOrder() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0, low);
        AddressSpace be = new AddressSpace("be", root, ByteOrder.BIG_ENDIAN);
        be.write(new GuestAddress(0x10), 4, 0x11223344L);
        assertEquals((byte) 0x11, low.segment().get(ValueLayout.JAVA_BYTE, 0x10));
        assertEquals((byte) 0x44, low.segment().get(ValueLayout.JAVA_BYTE, 0x13));
        assertEquals(0x1122L, be.read(new GuestAddress(0x10), 2));
    }
}
