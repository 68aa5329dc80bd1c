package org.jvmm.pci.host.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TceTableEntriesAreBigEndianAndInsideTheWindow {

    @Test
    void anEntryReadsBackAsWrittenAndLiesBigEndianInTheTable() {
        TceTable t = new TceTable(12, 0x100, 4, 1, "test");
        long tce = 0x0102030405060000L | TceTable.TCE_READ | TceTable.TCE_WRITE;
        assertEquals(0, t.xchg(0x102, tce));
        assertEquals(tce, t.get(0x102));
        assertEquals(0, t.get(0x101));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 0, 3}, t.rawBytes(0x102, 1));
        assertEquals(tce, t.xchg(0x102, 0));
        assertEquals(-1, t.nextNonZero(0x100, 0x104));
        assertEquals(2, t.writes());
    }

    @Test
    void anEntryOutsideTheWindowIsRefusedNamingIt() {
        TceTable t = new TceTable(12, 0x100, 4, 1, "test");
        t.xchg(0x103, 0x1000 | TceTable.TCE_READ);
        assertEquals(0x1000 | TceTable.TCE_READ, t.get(0x103));
        for (long entry : new long[] {0xff, 0x104, 0x100 + (1L << 32), -1}) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.get(entry));
            assertEquals("TCE entry 0x" + Long.toHexString(entry) + " is outside the table's 0x100+0x4", e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> t.xchg(entry, 1));
        }
        assertEquals(1, t.writes());
    }
}
