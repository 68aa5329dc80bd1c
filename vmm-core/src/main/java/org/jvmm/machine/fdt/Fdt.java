package org.jvmm.machine.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flattened device tree blob (devicetree specification v0.4, chapter 5): a 40-byte header
 * (magic 0xd00dfeed, version 17, last compatible version 16), an empty memory reservation map,
 * the structure block (FDT_BEGIN_NODE, FDT_PROP, FDT_END_NODE, FDT_END) and the strings block
 * with each property name once. {@link #write} makes a blob from a tree; {@link #read} parses one
 * back.
 */
public final class Fdt {
    public static final int MAGIC = 0xd00dfeed;
    public static final int VERSION = 17;
    public static final int LAST_COMP_VERSION = 16;
    private static final int BEGIN_NODE = 1;
    private static final int END_NODE = 2;
    private static final int PROP = 3;
    private static final int NOP = 4;
    private static final int END = 9;
    private static final int HEADER = 40;

    private Fdt() {
    }

    /** The blob for the tree under {@code root} (whose name is empty). */
    public static byte[] write(FdtNode root) {
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        Map<String, Integer> offsets = new LinkedHashMap<>();
        node(root, struct, strings, offsets);
        cell(struct, END);
        byte[] s = struct.toByteArray();
        byte[] t = strings.toByteArray();
        int rsv = HEADER; // 8-aligned already
        int offStruct = rsv + 16;
        int offStrings = offStruct + s.length;
        int total = offStrings + t.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(MAGIC).putInt(total).putInt(offStruct).putInt(offStrings).putInt(rsv)
                .putInt(VERSION).putInt(LAST_COMP_VERSION).putInt(0).putInt(t.length).putInt(s.length);
        b.putLong(0).putLong(0);
        b.put(s).put(t);
        return b.array();
    }

    private static void node(FdtNode n, ByteArrayOutputStream struct, ByteArrayOutputStream strings,
            Map<String, Integer> offsets) {
        cell(struct, BEGIN_NODE);
        byte[] name = n.name().getBytes(StandardCharsets.UTF_8);
        struct.writeBytes(name);
        struct.write(0);
        pad(struct);
        for (Map.Entry<String, byte[]> p : n.props().entrySet()) {
            Integer off = offsets.get(p.getKey());
            if (off == null) {
                off = strings.size();
                offsets.put(p.getKey(), off);
                strings.writeBytes(p.getKey().getBytes(StandardCharsets.UTF_8));
                strings.write(0);
            }
            cell(struct, PROP);
            cell(struct, p.getValue().length);
            cell(struct, off);
            struct.writeBytes(p.getValue());
            pad(struct);
        }
        for (FdtNode c : n.children()) {
            node(c, struct, strings, offsets);
        }
        cell(struct, END_NODE);
    }

    private static void cell(ByteArrayOutputStream o, int v) {
        o.write(v >>> 24);
        o.write(v >>> 16);
        o.write(v >>> 8);
        o.write(v);
    }

    private static void pad(ByteArrayOutputStream o) {
        while ((o.size() & 3) != 0) {
            o.write(0);
        }
    }

    /**
     * Parses a blob back into a tree.
     *
     * @throws IllegalArgumentException naming what is wrong (magic, version, a token, a bound)
     */
    public static FdtNode read(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob);
        if (blob.length < HEADER || b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("FDT: no 0xd00dfeed magic at offset 0");
        }
        int total = b.getInt(4);
        int offStruct = b.getInt(8);
        int offStrings = b.getInt(12);
        int version = b.getInt(20);
        if (version < LAST_COMP_VERSION || Integer.compareUnsigned(total, blob.length) > 0) {
            throw new IllegalArgumentException("FDT: version " + version + ", totalsize " + Integer.toUnsignedString(total)
                    + " of a " + blob.length + "-byte blob");
        }
        int p = offStruct;
        FdtNode root = null;
        FdtNode cur = null;
        while (true) {
            int token = b.getInt(p);
            p += 4;
            switch (token) {
                case BEGIN_NODE -> {
                    int end = p;
                    while (blob[end] != 0) {
                        end++;
                    }
                    FdtNode n = new FdtNode(new String(blob, p, end - p, StandardCharsets.UTF_8));
                    p = align(end + 1);
                    if (cur == null) {
                        if (root != null) {
                            throw new IllegalArgumentException("FDT: a second root node");
                        }
                        root = n;
                    } else {
                        cur.add(n);
                    }
                    cur = n;
                }
                case END_NODE -> {
                    if (cur == null) {
                        throw new IllegalArgumentException("FDT: FDT_END_NODE outside a node at " + (p - 4));
                    }
                    cur = cur.parent();
                }
                case PROP -> {
                    int len = b.getInt(p);
                    int nameOff = b.getInt(p + 4);
                    p += 8;
                    int s = offStrings + nameOff;
                    int e = s;
                    while (blob[e] != 0) {
                        e++;
                    }
                    byte[] v = new byte[len];
                    System.arraycopy(blob, p, v, 0, len);
                    cur.bytes(new String(blob, s, e - s, StandardCharsets.UTF_8), v);
                    p = align(p + len);
                }
                case NOP -> {
                }
                case END -> {
                    if (root == null || cur != null) {
                        throw new IllegalArgumentException("FDT: FDT_END inside a node");
                    }
                    return root;
                }
                default -> throw new IllegalArgumentException("FDT: token 0x" + Integer.toHexString(token) + " at "
                        + (p - 4));
            }
        }
    }

    private static int align(int v) {
        return (v + 3) & ~3;
    }
}
