package org.jvmm.machine.pseries.vof;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.machine.fdt.FdtNode;

/**
 * The device tree as the Open Firmware client interface serves it: nodes in the flattened tree's
 * order, each with a phandle, and properties a client may change. It behaves as QEMU's VOF does
 * on its libfdt blob (hw/ppc/vof.c): a property set for the first time goes in front of the node's
 * others (libfdt's fdt_setprop), an existing one keeps its place; every node without a
 * {@code phandle} gets one at reset, counting up from the largest phandle present, in the tree's
 * depth-first order (vof_build_dt).
 *
 * <p>Not thread-safe: used from the vCPU thread (inside the client-interface hypercall).
 */
public final class VofTree {
    /** One node: name with unit address, parent, children in order, properties in blob order. */
    public static final class Node {
        private final String name;
        private final Node parent;
        private final List<Node> children = new ArrayList<>();
        private final List<String> propNames = new ArrayList<>();
        private final Map<String, byte[]> props = new HashMap<>();
        private int phandle;

        Node(String name, Node parent) {
            this.name = name;
            this.parent = parent;
        }

        public String name() {
            return name;
        }

        public Node parent() {
            return parent;
        }

        public List<Node> children() {
            return children;
        }

        public int phandle() {
            return phandle;
        }

        /** The value of {@code prop}, or null (the array itself: callers do not change it). */
        public byte[] get(String prop) {
            return props.get(prop);
        }

        /** Property names in blob order. */
        public List<String> propertyNames() {
            return List.copyOf(propNames);
        }

        /** Sets {@code prop}: a new one in front of the others, an existing one in its place. */
        public void set(String prop, byte[] value) {
            if (props.put(prop, value.clone()) == null) {
                propNames.addFirst(prop);
            }
            if (prop.equals("phandle") && value.length == 4) {
                phandle = cell(value, 0);
            }
        }

        /** Sets a new property {@code prop} just before property {@code before} (or in front). */
        public void insertBefore(String prop, byte[] value, String before) {
            if (props.containsKey(prop)) {
                set(prop, value);
                return;
            }
            props.put(prop, value.clone());
            int i = propNames.indexOf(before);
            propNames.add(Math.max(i, 0), prop);
        }

        /** The absolute path, {@code /} for the root. */
        public String path() {
            if (parent == null) {
                return "/";
            }
            String p = parent.path();
            return (p.equals("/") ? "" : p) + "/" + name;
        }
    }

    private final Node root;
    private final List<Node> order = new ArrayList<>();

    private VofTree(Node root) {
        this.root = root;
        collect(root);
    }

    /**
     * Copies {@code tree} (names, properties and children in their order) and gives every node
     * without a phandle the next one, as vof_build_dt does.
     */
    public static VofTree of(FdtNode tree) {
        Node root = copy(tree, null);
        VofTree t = new VofTree(root);
        int max = 0;
        for (Node n : t.order) {
            max = Math.max(max, n.phandle);
        }
        for (Node n : t.order) {
            if (n.get("phandle") == null) {
                n.set("phandle", cells(++max));
            }
        }
        return t;
    }

    private static Node copy(FdtNode from, Node parent) {
        Node n = new Node(from.name(), parent);
        for (String p : from.propertyNames()) {
            n.propNames.add(p);
            n.props.put(p, from.get(p));
            if (p.equals("phandle") && from.get(p).length == 4) {
                n.phandle = cell(from.get(p), 0);
            }
        }
        for (FdtNode c : from.children()) {
            n.children.add(copy(c, n));
        }
        return n;
    }

    private void collect(Node n) {
        order.add(n);
        for (Node c : n.children) {
            collect(c);
        }
    }

    public Node root() {
        return root;
    }

    /** The node with {@code phandle}, or null (0 and 0xffffffff are never phandles: libfdt). */
    public Node byPhandle(int phandle) {
        if (phandle == 0 || phandle == -1) {
            return null;
        }
        for (Node n : order) {
            if (n.phandle == phandle) {
                return n;
            }
        }
        return null;
    }

    /**
     * The node at {@code path} as libfdt's fdt_path_offset finds it after VOF lower-cased the unit
     * addresses: absolute paths only (no aliases), empty components skipped, a component without
     * {@code @} also matching a node named {@code component@unit}, the first match in order.
     */
    public Node lookup(String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        Node n = root;
        for (String part : lowerUnitAddresses(path).split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            Node next = null;
            for (Node c : n.children) {
                if (c.name.equals(part) || (part.indexOf('@') < 0 && c.name.startsWith(part + "@"))) {
                    next = c;
                    break;
                }
            }
            if (next == null) {
                return null;
            }
            n = next;
        }
        return n;
    }

    /** VOF's path_offset: lower-case from each {@code @} up to the next {@code /}. */
    static String lowerUnitAddresses(String path) {
        StringBuilder b = new StringBuilder(path.length());
        boolean unit = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '@') {
                unit = true;
            } else if (c == '/') {
                unit = false;
            }
            b.append(unit && c < 0x80 ? Character.toLowerCase(c) : c);
        }
        return b.toString();
    }

    static byte[] cells(long... values) {
        byte[] b = new byte[4 * values.length];
        for (int i = 0; i < values.length; i++) {
            b[4 * i] = (byte) (values[i] >>> 24);
            b[4 * i + 1] = (byte) (values[i] >>> 16);
            b[4 * i + 2] = (byte) (values[i] >>> 8);
            b[4 * i + 3] = (byte) values[i];
        }
        return b;
    }

    static int cell(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static byte[] string(String s) {
        return (s + "\0").getBytes(StandardCharsets.ISO_8859_1);
    }
}
