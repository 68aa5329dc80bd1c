package org.jvmm.machine.fdt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The devicetree specification's blob (v0.4 chapter 5): header with magic 0xd00dfeed, version 17,
 * last compatible version 16, sizes of the strings and structure blocks; each property name once
 * in the strings block; values padded to 4 bytes.
 */
class AnFdtBlobReadsBackAsWritten {
    private static FdtNode tree() {
        FdtNode root = new FdtNode("");
        root.cells("#address-cells", 2).strings("compatible", "qemu,pseries");
        root.child("memory@0").u64("reg", 0, 0x2000_0000L).strings("device_type", "memory");
        root.child("chosen").strings("bootargs", "a b").empty("flag").bytes("odd", new byte[] {1, 2, 3});
        return root;
    }

    @Test
    @DisplayName("the header says v17, compatible with 16, and its sizes add up to the blob")
    void headerIsVersion17() {
        byte[] blob = Fdt.write(tree());
        ByteBuffer b = ByteBuffer.wrap(blob);
        assertEquals(0xd00dfeed, b.getInt(0));
        assertEquals(blob.length, b.getInt(4), "totalsize");
        assertEquals(17, b.getInt(20));
        assertEquals(16, b.getInt(24));
        assertEquals(blob.length, b.getInt(12) + b.getInt(32), "strings block ends the blob");
        assertEquals(b.getInt(12), b.getInt(8) + b.getInt(36), "the structure block is followed by the strings");
    }

    @Test
    @DisplayName("a written tree reads back equal: names, property order and bytes, children")
    void treeReadsBackEqual() {
        FdtNode back = Fdt.read(Fdt.write(tree()));
        assertEquals(tree(), back);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0}, back.lookup("/memory").get("reg"));
        assertEquals("/chosen", back.lookup("/chosen").path());
    }

    @Test
    @DisplayName("device_type, used twice, is stored once in the strings block")
    void propertyNamesAreStoredOnce() {
        FdtNode root = new FdtNode("");
        root.child("a").strings("device_type", "x");
        root.child("b").strings("device_type", "y");
        byte[] blob = Fdt.write(root);
        assertEquals("device_type\0".length(), ByteBuffer.wrap(blob).getInt(32));
    }

    @Test
    @DisplayName("a blob without the magic is refused naming it")
    void badMagicIsRefused() {
        byte[] blob = Fdt.write(tree());
        blob[0] = 0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertEquals("FDT: no 0xd00dfeed magic at offset 0", e.getMessage());
    }
}
