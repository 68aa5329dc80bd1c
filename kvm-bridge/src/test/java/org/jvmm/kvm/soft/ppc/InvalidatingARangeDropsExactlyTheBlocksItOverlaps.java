package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The block cache drops exactly the blocks a range overlaps, wherever they lie in a large RAM
 * (pages scanned through the set of pages holding code, 64 to a word), keeps the store path's
 * page flags in step, and reports whether the running block was dropped.
 */
class InvalidatingARangeDropsExactlyTheBlocksItOverlaps {
    private static final long RAM = 1L << 30;

    private static DecodedBlock block(long pc, int insns) {
        return new DecodedBlock(pc, true, new DecodedInsn[insns]);
    }

    @Test
    void aRangeDropsTheBlocksItOverlapsAndNoOthers() {
        BlockCache c = new BlockCache(RAM);
        DecodedBlock first = block(0, 4);
        DecodedBlock edge = block((64L << 12) - 8, 2); // ends page 63, the first bit-set word's last
        DecodedBlock next = block(64L << 12, 2); // first page of the second word
        DecodedBlock mid = block(0x1234_0000L + 0x100, 8);
        DecodedBlock last = block(RAM - 8, 2);
        for (DecodedBlock blk : List.of(first, edge, next, mid, last)) {
            c.insert(blk);
        }
        assertEquals(5, c.codePageCount());
        // Up to one byte before the block at 0x12340100: it stays.
        assertFalse(c.invalidate(0x1234_0000L, 0x100, mid));
        assertTrue(mid.valid);
        // From page 63's last byte through page 64's first: both blocks there go, and only they.
        assertFalse(c.invalidate((64L << 12) - 1, 2, null));
        assertFalse(edge.valid);
        assertFalse(next.valid);
        assertTrue(first.valid && mid.valid && last.valid);
        assertNull(c.lookup((64L << 12) - 8, true));
        assertNotNull(c.lookup(0x1234_0100L, true));
        byte[] flags = c.codePages();
        assertEquals(0, flags[63]);
        assertEquals(0, flags[64]);
        assertEquals(1, flags[0x12340]);
        assertEquals(3, c.codePageCount());
        // The whole RAM: everything else goes; the running block is reported.
        assertTrue(c.invalidate(0, RAM, last));
        assertFalse(first.valid || mid.valid || last.valid);
        assertEquals(0, c.codePageCount());
        assertEquals(0, flags[0]);
        assertEquals(0, flags[0x12340]);
        assertEquals(0, flags[(int) ((RAM - 8) >>> 12)]);
        // Nothing decoded: a no-op.
        assertFalse(c.invalidate(0, RAM, null));
    }

    @Test
    void aBlockEvictedByACollisionClearsItsPageFlagWhenItWasThePagesLast() {
        BlockCache c = new BlockCache(RAM);
        DecodedBlock a = block(0x1000, 1);
        // 64 MiB lands in the same table slot as 0x1000 (the slot folds pc >>> 2 with pc >>> 16).
        DecodedBlock b = block(0x400_0000L, 1);
        c.insert(a);
        c.insert(b);
        assertFalse(a.valid, "evicted by the block in its slot");
        assertEquals(0, c.codePages()[1]);
        assertEquals(1, c.codePageCount());
        assertTrue(c.invalidate(0, RAM, b));
        assertEquals(0, c.codePageCount());
    }
}
