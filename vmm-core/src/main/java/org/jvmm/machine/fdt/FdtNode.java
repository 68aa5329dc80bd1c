package org.jvmm.machine.fdt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One device-tree node: its name (with unit address, e.g. {@code memory@0}), properties in the
 * order they were added, and child nodes in order. Values are stored as the blob holds them
 * (cells big-endian, strings NUL-terminated). Not thread-safe: one thread builds a tree.
 */
public final class FdtNode {
    private final String name;
    private final Map<String, byte[]> props = new LinkedHashMap<>();
    private final List<FdtNode> children = new ArrayList<>();
    private FdtNode parent;

    public FdtNode(String name) {
        if (name.indexOf('/') >= 0 && !name.isEmpty()) {
            throw new IllegalArgumentException("FDT node name '" + name + "' contains '/'");
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    public FdtNode parent() {
        return parent;
    }

    /** Adds a child node and returns it. */
    public FdtNode add(FdtNode child) {
        if (child.parent != null) {
            throw new IllegalStateException("FDT node " + child.name + " already has a parent");
        }
        child.parent = this;
        children.add(child);
        return child;
    }

    /** Adds a new child named {@code childName} and returns it. */
    public FdtNode child(String childName) {
        return add(new FdtNode(childName));
    }

    public List<FdtNode> children() {
        return List.copyOf(children);
    }

    /** The child named {@code childName}, or null. */
    public FdtNode find(String childName) {
        for (FdtNode c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    /** Sets property {@code prop} to raw bytes (an existing property keeps its place). */
    public FdtNode bytes(String prop, byte[] value) {
        props.put(prop, value.clone());
        return this;
    }

    /** An empty property (a flag such as {@code interrupt-controller}). */
    public FdtNode empty(String prop) {
        return bytes(prop, new byte[0]);
    }

    /** 32-bit cells, big-endian. */
    public FdtNode cells(String prop, long... values) {
        byte[] b = new byte[4 * values.length];
        for (int i = 0; i < values.length; i++) {
            putCell(b, 4 * i, values[i]);
        }
        return bytes(prop, b);
    }

    /** 64-bit values, each as two cells (high first). */
    public FdtNode u64(String prop, long... values) {
        byte[] b = new byte[8 * values.length];
        for (int i = 0; i < values.length; i++) {
            putCell(b, 8 * i, values[i] >>> 32);
            putCell(b, 8 * i + 4, values[i]);
        }
        return bytes(prop, b);
    }

    /** One or more NUL-terminated strings. */
    public FdtNode strings(String prop, String... values) {
        StringBuilder s = new StringBuilder();
        for (String v : values) {
            s.append(v).append('\0');
        }
        return bytes(prop, s.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The value of {@code prop}, or null. */
    public byte[] get(String prop) {
        byte[] v = props.get(prop);
        return v == null ? null : v.clone();
    }

    /** Property names in order. */
    public List<String> propertyNames() {
        return List.copyOf(props.keySet());
    }

    /** The path from the root, {@code /} for the root itself. */
    public String path() {
        if (parent == null) {
            return "/";
        }
        String p = parent.path();
        return (p.equals("/") ? "" : p) + "/" + name;
    }

    /** The node at absolute {@code path} below this root, or null. */
    public FdtNode lookup(String path) {
        FdtNode n = this;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            FdtNode next = n.find(part);
            if (next == null && part.indexOf('@') < 0) {
                for (FdtNode c : n.children) {
                    if (c.name.startsWith(part + "@")) {
                        next = c;
                        break;
                    }
                }
            }
            if (next == null) {
                return null;
            }
            n = next;
        }
        return n;
    }

    Map<String, byte[]> props() {
        return props;
    }

    private static void putCell(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    @Override
    public String toString() {
        return "FdtNode[" + path() + ", " + props.keySet() + ", " + children.size() + " children]";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FdtNode n) || !n.name.equals(name) || !n.props.keySet().equals(props.keySet())
                || !n.children.equals(children)) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : props.entrySet()) {
            if (!Arrays.equals(e.getValue(), n.props.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + props.keySet().hashCode();
    }
}
