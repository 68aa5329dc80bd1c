package org.jvmm.machine.pseries.vof;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.MemTxResult;
import org.jvmm.papr.Hypercall;

/**
 * The Open Firmware client interface served in the VMM, as QEMU 7.2's Virtual Open Firmware does
 * (hw/ppc/vof.c, hw/ppc/spapr_vof.c): the client calls the entry stub with r3 = its argument
 * array, the stub makes hypercall {@link #KVMPPC_H_VOF_CLIENT} with that address in r4, and this
 * class answers. The array is big-endian: the service name's address, nargs, nret, then the
 * arguments and room for the returns (ten cells in all, IEEE 1275's client interface).
 *
 * <p>Services and their answers, each QEMU's: finddevice, getprop, getproplen, setprop, nextprop,
 * peer, child, parent, open, close, instance-to-package, package-to-path, instance-to-path, write,
 * claim, release, quiesce, call-method, exit. A missing node, property or instance, a name that
 * cannot be read, or a wrong argument count is {@link #PROM_ERROR} (-1) in the first return cell;
 * an argument array that cannot be read or written, a service name without a NUL in 64 bytes or
 * argument counts beyond the array is H_PARAMETER, the stub's r3, and nothing is written.
 * {@code write} sends the bytes to the console (QEMU 7.2 only traces them) and returns 0, as
 * QEMU 7.2's does (it returns the length left to write). {@code claim} is VOF's allocator: below
 * 4 GiB and the RMA, an explicit range must not overlap an earlier claim, an aligned one moves up
 * from the highest claim so far; /memory@0's {@code available} follows. {@code call-method} answers
 * -1 for every method (no client-architecture-support, no instantiate-rtas) and
 * {@code milliseconds} and {@code interpret} are not offered (unknown services, -1). {@code exit}
 * ends the run (QEMU pauses the VM).
 *
 * <p>Not thread-safe: called on the vCPU thread.
 */
public final class VofClient implements Hypercall {
    /** The hypercall the entry stub makes (QEMU's KVMPPC_H_VOF_CLIENT). */
    public static final long KVMPPC_H_VOF_CLIENT = 0xf005;
    /** IEEE 1275's failure value, -1 in a cell. */
    public static final int PROM_ERROR = -1;
    static final int PROPNAME_MAX = 64;
    static final int PATH_MAX = 256;
    static final int SETPROP_MAX = 2048;
    static final int ARGS_CELLS = 10;
    static final int SERVICE_MAX = 64;

    private final AddressSpace memory;
    private final Consumer<byte[]> console;
    private final Runnable exit;
    private VofTree tree;
    private final Map<Integer, Instance> instances = new HashMap<>();
    private int lastInstance;
    private final List<long[]> claimed = new ArrayList<>();
    private long claimedBase;
    private long topAddr;
    private long calls;
    private final List<String> guestErrors = new ArrayList<>();

    private record Instance(String path, int phandle) {
    }

    /**
     * @param memory guest-physical memory the client's arrays and strings live in
     * @param console where {@code write} sends bytes (the vty)
     * @param exit what {@code exit} does (ends the run)
     */
    public VofClient(AddressSpace memory, Consumer<byte[]> console, Runnable exit) {
        this.memory = memory;
        this.console = console;
        this.exit = exit;
    }

    /**
     * Starts over as vof_init does at machine reset: {@code tree} served, no instances, nothing
     * claimed but the firmware's [0, firmwareSize); claims stay below {@code min(rmaSize, 4 GiB)}.
     */
    public void reset(VofTree tree, long rmaSize, long firmwareSize) {
        this.tree = tree;
        instances.clear();
        lastInstance = 0;
        claimed.clear();
        claimedBase = 0;
        topAddr = Math.min(rmaSize, 1L << 32);
        if (claim(0, firmwareSize, 0) == -1) {
            throw new IllegalStateException("VOF: the firmware's [0, 0x" + Long.toHexString(firmwareSize) + ") cannot be claimed");
        }
    }

    public VofTree tree() {
        return tree;
    }

    /** Client-interface calls handled. */
    public long calls() {
        return calls;
    }

    /** What the client did wrong (VOF's trace lines), oldest first. */
    public List<String> guestErrors() {
        return List.copyOf(guestErrors);
    }

    /**
     * Opens {@code path} and stores the instance in property {@code prop} of {@code node}, as
     * vof_client_open_store does for /chosen's stdout. Returns the ihandle.
     */
    public int openStore(String node, String prop, String path) {
        VofTree.Node n = tree.lookup(path);
        VofTree.Node at = tree.lookup(node);
        if (n == null || at == null) {
            throw new IllegalArgumentException("VOF: cannot open " + path + " into " + node + " " + prop);
        }
        int ih = open(n, path);
        at.set(prop, VofTree.cells(ih));
        return ih;
    }

    /** Updates /memory@0's available from the claims (vof_dt_memory_available). */
    public void updateAvailable() {
        VofTree.Node mem = tree.lookup("/memory@0");
        byte[] reg = mem == null ? null : mem.get("reg");
        if (reg == null || reg.length != 16) {
            return;
        }
        long mem0End = (long) VofTree.cell(reg, 8) << 32 | (VofTree.cell(reg, 12) & 0xffff_ffffL);
        List<long[]> sorted = new ArrayList<>(claimed);
        sorted.sort(Comparator.comparing((long[] c) -> c[0], Long::compareUnsigned));
        byte[] avail = new byte[16 * sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            long start = sorted.get(i)[0] + sorted.get(i)[1];
            long size = (i < sorted.size() - 1 ? sorted.get(i + 1)[0] : mem0End) - start;
            put64(avail, 16 * i, start);
            put64(avail, 16 * i + 8, size);
        }
        mem.set("available", avail);
    }

    /** The hypercall: {@code args[0]} is the argument array's address. */
    @Override
    public long call(long[] args, long[] rets) {
        calls++;
        return clientCall(args[0] & 0x0fff_ffff_ffff_ffffL) ? Papr.H_SUCCESS : Papr.H_PARAMETER;
    }

    private boolean clientCall(long argsAddr) {
        byte[] a = new byte[12 + 4 * ARGS_CELLS];
        if (!read(argsAddr, a)) {
            return false;
        }
        int nargs = VofTree.cell(a, 4);
        if (Integer.compareUnsigned(nargs, ARGS_CELLS) >= 0) {
            return false;
        }
        byte[] svc = new byte[SERVICE_MAX];
        if (!read(VofTree.cell(a, 0) & 0xffff_ffffL, svc)) {
            return false;
        }
        int len = indexOfNul(svc);
        if (len < 0) {
            return false;
        }
        String service = new String(svc, 0, len, StandardCharsets.ISO_8859_1);
        int[] in = new int[nargs];
        for (int i = 0; i < nargs; i++) {
            in[i] = VofTree.cell(a, 12 + 4 * i);
        }
        int nret = VofTree.cell(a, 8);
        if (Integer.compareUnsigned(nret, ARGS_CELLS - nargs) > 0) {
            return false;
        }
        int[] more = new int[ARGS_CELLS];
        int ret = handle(service, in, nret, more);
        if (nret == 0) {
            return true;
        }
        byte[] out = new byte[4 * nret];
        System.arraycopy(VofTree.cells(ret & 0xffff_ffffL), 0, out, 0, 4);
        for (int i = 1; i < nret; i++) {
            System.arraycopy(VofTree.cells(more[i - 1] & 0xffff_ffffL), 0, out, 4 * i, 4);
        }
        return write(argsAddr + 12 + 4L * nargs, out);
    }

    /** One service; {@code more} gets the returns after the first. */
    int handle(String service, int[] a, int nret, int[] more) {
        int nargs = a.length;
        switch (service) {
            case "finddevice" -> {
                if (counts(service, nargs, nret, 1, 1)) {
                    return finddevice(a[0]);
                }
            }
            case "getprop" -> {
                if (counts(service, nargs, nret, 4, 1)) {
                    return getprop(a[0], a[1], a[2], a[3]);
                }
            }
            case "getproplen" -> {
                if (counts(service, nargs, nret, 2, 1)) {
                    return getproplen(a[0], a[1]);
                }
            }
            case "setprop" -> {
                if (counts(service, nargs, nret, 4, 1)) {
                    return setprop(a[0], a[1], a[2], a[3]);
                }
            }
            case "nextprop" -> {
                if (counts(service, nargs, nret, 3, 1)) {
                    return nextprop(a[0], a[1], a[2]);
                }
            }
            case "peer" -> {
                if (counts(service, nargs, nret, 1, 1)) {
                    return peer(a[0]);
                }
            }
            case "child" -> {
                if (counts(service, nargs, nret, 1, 1)) {
                    return child(a[0]);
                }
            }
            case "parent" -> {
                if (counts(service, nargs, nret, 1, 1)) {
                    VofTree.Node n = tree.byPhandle(a[0]);
                    return n == null || n.parent() == null ? 0 : n.parent().phandle();
                }
            }
            case "open" -> {
                if (counts(service, nargs, nret, 1, 1)) {
                    String path = readString(a[0], PATH_MAX);
                    VofTree.Node n = path == null ? null : tree.lookup(path);
                    return n == null ? PROM_ERROR : open(n, path);
                }
            }
            case "close" -> {
                if (counts(service, nargs, nret, 1, 0)) {
                    if (instances.remove(a[0]) == null) {
                        guestError("close of unknown ihandle 0x" + Integer.toHexString(a[0]));
                    }
                    return 0;
                }
            }
            case "instance-to-package" -> {
                if (counts(service, nargs, nret, 1, 1)) {
                    Instance i = instances.get(a[0]);
                    return i == null ? PROM_ERROR : i.phandle();
                }
            }
            case "package-to-path" -> {
                if (counts(service, nargs, nret, 3, 1)) {
                    return toPath(tree.byPhandle(a[0]), a[1]);
                }
            }
            case "instance-to-path" -> {
                if (counts(service, nargs, nret, 3, 1)) {
                    Instance i = instances.get(a[0]);
                    return toPath(i == null ? null : tree.byPhandle(i.phandle()), a[1]);
                }
            }
            case "write" -> {
                if (counts(service, nargs, nret, 3, 1)) {
                    return write(a[0], a[1], a[2]);
                }
            }
            case "claim" -> {
                if (counts(service, nargs, nret, 3, 1)) {
                    long got = claim(a[0] & 0xffff_ffffL, a[1] & 0xffff_ffffL, a[2] & 0xffff_ffffL);
                    if (got != -1 && Long.compareUnsigned(got, 1L << 32) < 0) {
                        updateAvailable();
                        return (int) got;
                    }
                    if (got != -1) {
                        release(got, a[1] & 0xffff_ffffL);
                    }
                    return PROM_ERROR;
                }
            }
            case "release" -> {
                if (counts(service, nargs, nret, 2, 0)) {
                    int r = release(a[0] & 0xffff_ffffL, a[1] & 0xffff_ffffL);
                    if (r != PROM_ERROR) {
                        updateAvailable();
                    }
                    return r;
                }
            }
            case "call-method" -> {
                guestError("call-method: no methods offered");
                more[0] = 0;
                return PROM_ERROR;
            }
            case "quiesce" -> {
                return 0;
            }
            case "exit" -> {
                exit.run();
                return 0;
            }
            default -> {
            }
        }
        guestError("unknown service " + service + " (" + nargs + " arguments, " + nret + " returns)");
        return PROM_ERROR;
    }

    /** VOF's cmpservice: a count of 0 in the table accepts any. */
    private boolean counts(String service, int nargs, int nret, int wantArgs, int wantRets) {
        if ((wantArgs != 0 && nargs != wantArgs) || (wantRets != 0 && nret != wantRets)) {
            guestError(service + " takes " + wantArgs + " arguments and " + wantRets + " returns, not " + nargs + " and " + nret);
            return false;
        }
        return true;
    }

    private int finddevice(int pathAddr) {
        String path = readString(pathAddr, PATH_MAX);
        VofTree.Node n = path == null ? null : tree.lookup(path);
        return n == null ? PROM_ERROR : n.phandle();
    }

    /** A property's value, or for a missing {@code name} the node's name without its unit address. */
    private byte[] property(VofTree.Node n, String name) {
        byte[] v = n.get(name);
        if (v != null || !name.equals("name")) {
            return v;
        }
        String base = n.name();
        int at = base.indexOf('@');
        return VofTree.string(at < 0 ? base : base.substring(0, at));
    }

    private int getprop(int phandle, int nameAddr, int valAddr, int valLen) {
        VofTree.Node n = tree.byPhandle(phandle);
        if (n == null) {
            return PROM_ERROR;
        }
        String name = readString(nameAddr, PROPNAME_MAX + 1);
        byte[] v = name == null ? null : property(n, name);
        if (v == null) {
            return PROM_ERROR;
        }
        int cb = (int) Math.min(v.length, valLen & 0xffff_ffffL);
        return write(valAddr & 0xffff_ffffL, Arrays.copyOf(v, cb)) ? v.length : PROM_ERROR;
    }

    private int getproplen(int phandle, int nameAddr) {
        VofTree.Node n = tree.byPhandle(phandle);
        if (n == null) {
            return PROM_ERROR;
        }
        String name = readString(nameAddr, PROPNAME_MAX + 1);
        byte[] v = name == null ? null : property(n, name);
        return v == null ? PROM_ERROR : v.length;
    }

    private int setprop(int phandle, int nameAddr, int valAddr, int valLen) {
        if (Integer.compareUnsigned(valLen, SETPROP_MAX) > 0) {
            return PROM_ERROR;
        }
        String name = readString(nameAddr, PROPNAME_MAX + 1);
        VofTree.Node n = tree.byPhandle(phandle);
        if (name == null || n == null) {
            return PROM_ERROR;
        }
        byte[] v = new byte[valLen];
        if (!read(valAddr & 0xffff_ffffL, v)) {
            return PROM_ERROR;
        }
        if (n.path().equals("/chosen") && (name.equals("linux,initrd-start") || name.equals("linux,initrd-end"))
                && valLen != 4 && valLen != 8) {
            return PROM_ERROR; // spapr_vof_setprop takes a 32- or 64-bit initrd address only
        }
        n.set(name, v);
        return valLen;
    }

    private int nextprop(int phandle, int prevAddr, int nameAddr) {
        String prev = readString(prevAddr, PROPNAME_MAX + 1);
        if (prev == null) {
            return PROM_ERROR;
        }
        VofTree.Node n = tree.byPhandle(phandle);
        if (n == null) {
            return 0;
        }
        List<String> names = n.propertyNames();
        int next;
        if (prev.isEmpty()) {
            next = 0;
        } else {
            int i = names.indexOf(prev);
            if (i < 0) {
                return 0;
            }
            next = i + 1;
        }
        if (next >= names.size()) {
            return 0;
        }
        return write(nameAddr & 0xffff_ffffL, VofTree.string(names.get(next))) ? 1 : PROM_ERROR;
    }

    private int peer(int phandle) {
        if (phandle == 0) {
            return tree.root().phandle();
        }
        VofTree.Node n = tree.byPhandle(phandle);
        if (n == null || n.parent() == null) {
            return 0;
        }
        List<VofTree.Node> sib = n.parent().children();
        int i = sib.indexOf(n);
        return i + 1 < sib.size() ? sib.get(i + 1).phandle() : 0;
    }

    private int child(int phandle) {
        VofTree.Node n = tree.byPhandle(phandle);
        if (n == null) {
            return tree.root().phandle(); // libfdt's fdt_first_subnode of a bad offset finds the root
        }
        return n.children().isEmpty() ? 0 : n.children().getFirst().phandle();
    }

    private int open(VofTree.Node n, String path) {
        if (lastInstance == -1) {
            return PROM_ERROR; // ihandles are not recycled
        }
        instances.put(++lastInstance, new Instance(path, n.phandle()));
        return lastInstance;
    }

    /** package-to-path and instance-to-path write the whole path and its NUL, whatever the length given. */
    private int toPath(VofTree.Node n, int bufAddr) {
        if (n == null) {
            return PROM_ERROR;
        }
        byte[] p = VofTree.string(n.path());
        if (p.length > PATH_MAX - 1) {
            return PROM_ERROR;
        }
        return write(bufAddr & 0xffff_ffffL, p) ? p.length : PROM_ERROR;
    }

    private int write(int ihandle, int buf, int len) {
        if (!instances.containsKey(ihandle)) {
            guestError("write to unknown ihandle 0x" + Integer.toHexString(ihandle));
            return PROM_ERROR;
        }
        long left = len & 0xffff_ffffL;
        long at = buf & 0xffff_ffffL;
        while (left > 0) {
            byte[] chunk = new byte[(int) Math.min(left, 255)];
            if (!read(at, chunk)) {
                return PROM_ERROR;
            }
            console.accept(chunk);
            at += chunk.length;
            left -= chunk.length;
        }
        return 0;
    }

    /** VOF's allocator (vof_claim): the address claimed, or -1. */
    long claim(long virt, long size, long align) {
        long ret;
        if (size == 0) {
            ret = -1;
        } else if (align == 0) {
            ret = available(virt, size) ? virt : -1;
        } else {
            claimedBase = alignUp(claimedBase, align);
            while (true) {
                if (Long.compareUnsigned(claimedBase, topAddr) >= 0) {
                    guestError("claim of 0x" + Long.toHexString(size) + " bytes: out of RMA memory for the OF client");
                    return -1;
                }
                if (available(claimedBase, size)) {
                    break;
                }
                claimedBase += size;
            }
            ret = claimedBase;
        }
        if (ret != -1) {
            claimedBase = Long.compareUnsigned(claimedBase, ret + size) >= 0 ? claimedBase : ret + size;
            claimed.add(new long[] {ret, size});
        }
        return ret;
    }

    private int release(long virt, long size) {
        for (int i = 0; i < claimed.size(); i++) {
            if (claimed.get(i)[0] == virt && claimed.get(i)[1] == size) {
                claimed.remove(i);
                return 0;
            }
        }
        return PROM_ERROR;
    }

    private boolean available(long virt, long size) {
        for (long[] c : claimed) {
            if (Long.compareUnsigned(virt, c[0] + c[1]) < 0 && Long.compareUnsigned(c[0], virt + size) < 0) {
                return false;
            }
        }
        return true;
    }

    private static long alignUp(long v, long align) {
        return (v + align - 1) / align * align;
    }

    /** A NUL-terminated string read as VOF's readstr: {@code size} bytes, a NUL among them, else null. */
    private String readString(int addr, int size) {
        byte[] b = new byte[size];
        if (!read(addr & 0xffff_ffffL, b)) {
            return null;
        }
        int n = indexOfNul(b);
        if (n < 0) {
            guestError("string at 0x" + Integer.toHexString(addr) + " longer than " + (size - 1) + " bytes");
            return null;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private boolean read(long addr, byte[] into) {
        return memory.read(new GuestAddress(addr), MemorySegment.ofArray(into)) == MemTxResult.OK;
    }

    private boolean write(long addr, byte[] bytes) {
        return memory.write(new GuestAddress(addr), MemorySegment.ofArray(bytes)) == MemTxResult.OK;
    }

    private void guestError(String what) {
        if (guestErrors.size() < 1000) {
            guestErrors.add(what);
        }
    }

    private static void put64(byte[] b, int at, long v) {
        System.arraycopy(VofTree.cells(v >>> 32, v), 0, b, at, 8);
    }
}
