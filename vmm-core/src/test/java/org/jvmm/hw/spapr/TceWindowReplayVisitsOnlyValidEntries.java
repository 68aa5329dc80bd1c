package org.jvmm.hw.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.IommuEvent;
import org.jvmm.memory.IommuRegion;
import org.junit.jupiter.api.Test;

/**
 * A replay of a TCE window (QEMU's memory_region_iommu_replay) reports a MAP for exactly the
 * entries with a permission bit, in order, whatever their place in the window: the first, one in
 * the middle, a write-only one, the last. The table says where its next valid entry is
 * ({@code nextMapped}), so a replay of a mostly empty 1 GiB window does not translate each of its
 * 262,144 pages.
 */
class TceWindowReplayVisitsOnlyValidEntries {
    private static final long PAGES = 1L << 18; // 1 GiB of 4 KiB pages

    private static SpaprTceTable table() {
        AddressSpace memory = new AddressSpace("memory", new ContainerRegion("root", 1L << 32), ByteOrder.BIG_ENDIAN);
        SpaprTceTable t = new SpaprTceTable(0x8000_0000L, memory);
        t.enable(12, 0, PAGES);
        return t;
    }

    private static List<String> replay(IommuRegion region) {
        List<String> seen = new ArrayList<>();
        region.replay(e -> seen.add(e.type() + " 0x" + Long.toHexString(e.entry().iova().value()) + " -> 0x"
                + Long.toHexString(e.entry().translated().value()) + " " + e.entry().perm()));
        return seen;
    }

    @Test
    void replayReportsTheFirstMiddleWriteOnlyAndLastEntriesOnly() {
        SpaprTceTable t = table();
        assertEquals(0, t.putTce(0, 0x10_0000L | 3));
        assertEquals(0, t.putTce(0x7000, 0x12_3000L | 1));
        assertEquals(0, t.putTce(0x9000, 0x45_6000L | 2));
        assertEquals(0, t.putTce(0x2000_0000L, 0x78_9000L | 3)); // cleared again below: no MAP
        assertEquals(0, t.putTce(0x2000_0000L, 0));
        assertEquals(0, t.putTce((PAGES - 1) << 12, 0x9a_b000L | 3));
        assertEquals(List.of(
                "MAP 0x0 -> 0x100000 READ_WRITE",
                "MAP 0x7000 -> 0x123000 READ",
                "MAP 0x9000 -> 0x456000 WRITE",
                "MAP 0x3ffff000 -> 0x9ab000 READ_WRITE"), replay(t.region()));
    }

    @Test
    void nextMappedNamesTheNextValidPageOrMinusOneWhenNoneIsLeft() {
        SpaprTceTable t = table();
        assertEquals(-1L, t.nextMapped(0));
        assertEquals(0, t.putTce(0x7000, 0x12_3000L | 1));
        assertEquals(0x7000, t.nextMapped(0));
        assertEquals(0x7000, t.nextMapped(0x7000));
        assertEquals(-1L, t.nextMapped(0x8000));
        assertEquals(-1L, t.nextMapped(PAGES << 12));
    }

    @Test
    void aDisabledTableHasNothingToReplay() {
        AddressSpace memory = new AddressSpace("memory", new ContainerRegion("root", 1L << 32), ByteOrder.BIG_ENDIAN);
        assertEquals(-1L, new SpaprTceTable(0x8000_0000L, memory).nextMapped(0));
    }
}
