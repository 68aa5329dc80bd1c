package org.jvmm.machine.pseries.vof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each client-interface service's answers, as QEMU 7.2's VOF gives them (hw/ppc/vof.c): -1
 * (PROM_ERROR) in the first return cell for what is missing, H_PARAMETER from the hypercall for an
 * argument array it cannot use.
 */
class VofClientAnswersAsQemu72 {
    private static final int ERR = -1;

    @Test
    @DisplayName("finddevice: absolute paths, a unit address matched in lower case, a bare name matching name@unit; else -1")
    void finddevice() {
        try (VofRig r = new VofRig(true)) {
            assertEquals(0x1112, r.phandle("/"));
            assertEquals(0x1114, r.phandle("/chosen"));
            int vty = r.phandle("/vdevice/vty@71000001");
            assertEquals(vty, r.phandle("/vdevice/vty"));
            assertEquals(vty, r.phandle("//vdevice//vty@71000001"));
            assertEquals(ERR, r.phandle("/vdevice/VTY@71000001"));
            assertEquals(ERR, r.phandle("/nonexistent"));
            assertEquals(ERR, r.phandle("chosen")); // no aliases
            assertEquals(H_SUCCESS, r.status);
            assertEquals("/Foo@abc/bar@d12", VofTree.lowerUnitAddresses("/Foo@ABC/bar@D12"));
            assertEquals(ERR, r.one("finddevice", 0x7000_0000L)); // the path cannot be read
        }
    }

    @Test
    @DisplayName("getprop copies min(length, buffer) bytes and answers the property's length; missing name, property or phandle is -1")
    void getprop() {
        try (VofRig r = new VofRig(true)) {
            int root = r.phandle("/");
            assertEquals(31, r.one("getprop", root, r.str("model"), VofRig.BUF, 256));
            assertEquals("IBM pSeries (emulated by qemu)", r.readString(VofRig.BUF));
            r.cell(VofRig.BUF, 0x5a5a5a5aL);
            assertEquals(31, r.one("getprop", root, r.str("model"), VofRig.BUF, 3));
            assertArrayEquals(new byte[] {'I', 'B', 'M', 0x5a}, r.bytes(VofRig.BUF, 4));
            assertEquals(ERR, r.one("getprop", root, r.str("no-such-prop"), VofRig.BUF, 8));
            assertEquals(ERR, r.one("getprop", 0xdead, r.str("model"), VofRig.BUF, 8));
            assertEquals(ERR, r.one("getprop", 0, r.str("model"), VofRig.BUF, 8));
            assertEquals(ERR, r.one("getprop", 0xffff_ffffL, r.str("model"), VofRig.BUF, 8));
            assertEquals(ERR, r.one("getprop", root, r.str("x".repeat(65)), VofRig.BUF, 8)); // longer than 64
            assertEquals(ERR, r.one("getprop", root, r.str("model"), 0x7000_0000L, 8)); // cannot be written
        }
    }

    @Test
    @DisplayName("a missing \"name\" is the node's name without its unit address, NUL-terminated; the root's is \"\" (1)")
    void nameFromThePath() {
        try (VofRig r = new VofRig(true)) {
            int vty = r.phandle("/vdevice/vty@71000001");
            assertEquals(4, r.one("getprop", vty, r.str("name"), VofRig.BUF, 64));
            assertArrayEquals(new byte[] {'v', 't', 'y', 0}, r.bytes(VofRig.BUF, 4));
            assertEquals(4, r.one("getproplen", vty, r.str("name")));
            r.cell(VofRig.BUF, 0x5a5a5a5aL);
            assertEquals(1, r.one("getprop", r.phandle("/"), r.str("name"), VofRig.BUF, 64));
            assertArrayEquals(new byte[] {0, 0x5a}, r.bytes(VofRig.BUF, 2));
        }
    }

    @Test
    @DisplayName("getproplen answers the length, -1 for a missing property or phandle")
    void getproplen() {
        try (VofRig r = new VofRig(true)) {
            int chosen = r.phandle("/chosen");
            assertEquals(13, r.one("getproplen", chosen, r.str("bootargs")));
            assertEquals(4, r.one("getproplen", chosen, r.str("stdout")));
            assertEquals(ERR, r.one("getproplen", chosen, r.str("nope")));
            assertEquals(ERR, r.one("getproplen", 0x4242, r.str("bootargs")));
        }
    }

    @Test
    @DisplayName("nextprop: \"\" gives the first name (1), each name the next, the last 0; an unknown name or phandle 0")
    void nextprop() {
        try (VofRig r = new VofRig(true)) {
            int chosen = r.phandle("/chosen");
            List<String> names = new ArrayList<>();
            String prev = "";
            while (true) {
                int got = r.one("nextprop", chosen, r.str(prev), VofRig.BUF);
                if (got == 0) {
                    break;
                }
                assertEquals(1, got);
                prev = r.readString(VofRig.BUF);
                names.add(prev);
            }
            assertEquals(List.of("stdout", "phandle", "ibm,architecture-vec-5", "linux,pci-probe-only", "stdout-path",
                    "linux,stdout-path", "qemu,boot-kernel", "bootargs"), names);
            assertEquals(0, r.one("nextprop", chosen, r.str("not-there"), VofRig.BUF));
            assertEquals(0, r.one("nextprop", 0x4242, r.str(""), VofRig.BUF));
            assertEquals(ERR, r.one("nextprop", chosen, r.str("y".repeat(70)), VofRig.BUF));
        }
    }

    @Test
    @DisplayName("setprop: a new property goes in front, an existing one keeps its place; over 2048 bytes or a 3-byte initrd address is -1")
    void setprop() {
        try (VofRig r = new VofRig(true)) {
            int chosen = r.phandle("/chosen");
            long v = r.str("new value");
            assertEquals(10, r.one("setprop", chosen, r.str("bootargs"), v, 10));
            assertEquals(10, r.one("getprop", chosen, r.str("bootargs"), VofRig.BUF, 64));
            assertEquals("new value", r.readString(VofRig.BUF));
            assertEquals(4, r.one("setprop", chosen, r.str("x,flag"), v, 4));
            assertEquals(1, r.one("nextprop", chosen, r.str(""), VofRig.BUF));
            assertEquals("x,flag", r.readString(VofRig.BUF));
            assertEquals(ERR, r.one("setprop", chosen, r.str("big"), v, 2049));
            assertEquals(ERR, r.one("setprop", chosen, r.str("linux,initrd-start"), v, 3));
            assertEquals(8, r.one("setprop", chosen, r.str("linux,initrd-start"), v, 8));
            assertEquals(ERR, r.one("setprop", 0x4242, r.str("bootargs"), v, 4));
            assertEquals(ERR, r.one("getproplen", chosen, r.str("big")), "a refused setprop changes nothing");
        }
    }

    @Test
    @DisplayName("child, peer, parent follow the tree; peer(0) is the root; the root's peer and parent and a leaf's child are 0")
    void childPeerParent() {
        try (VofRig r = new VofRig(true)) {
            int root = r.phandle("/");
            assertEquals(root, r.one("peer", 0));
            assertEquals(0, r.one("peer", root));
            assertEquals(0, r.one("parent", root));
            assertEquals(r.phandle("/ibm,persistent-memory"), r.one("child", root));
            assertEquals(r.phandle("/chosen"), r.one("peer", r.phandle("/ibm,persistent-memory")));
            assertEquals(0, r.one("peer", r.phandle("/interrupt-controller")), "the last child");
            int vdevice = r.phandle("/vdevice");
            assertEquals(r.phandle("/vdevice/nvram@71000000"), r.one("child", vdevice));
            assertEquals(vdevice, r.one("parent", r.phandle("/vdevice/vty@71000001")));
            assertEquals(0, r.one("child", r.phandle("/chosen")));
            assertEquals(0x1111, r.phandle("/interrupt-controller"), "its own phandle stays");
        }
    }

    @Test
    @DisplayName("a phandle that names no node: peer and parent 0, child the root (libfdt starts from the top)")
    void badPhandle() {
        try (VofRig r = new VofRig(true)) {
            assertEquals(0, r.one("peer", 0x4242));
            assertEquals(0, r.one("parent", 0x4242));
            assertEquals(r.phandle("/"), r.one("child", 0x4242));
        }
    }

    @Test
    @DisplayName("stdout is ihandle 1 of the vty; open, instance-to-package, instance-to-path, close; unknown ihandles -1")
    void instances() {
        try (VofRig r = new VofRig(true)) {
            int chosen = r.phandle("/chosen");
            assertEquals(4, r.one("getprop", chosen, r.str("stdout"), VofRig.BUF, 4));
            assertEquals(1, r.read(VofRig.BUF));
            assertEquals(r.phandle("/vdevice/vty@71000001"), r.one("instance-to-package", 1));
            assertEquals(2, r.one("open", r.str("/rtas")));
            assertEquals(6, r.one("instance-to-path", 2, VofRig.BUF, 64));
            assertEquals("/rtas", r.readString(VofRig.BUF));
            assertEquals(0, r.call("close", 0, 2).length);
            assertEquals(ERR, r.one("instance-to-package", 2));
            assertEquals(ERR, r.one("instance-to-path", 2, VofRig.BUF, 64));
            assertEquals(ERR, r.one("open", r.str("/nope")));
            assertEquals(3, r.one("open", r.str("/rtas")), "ihandles are not reused");
        }
    }

    @Test
    @DisplayName("package-to-path writes the whole path and its NUL, whatever length is given (QEMU 7.2); bad phandle -1")
    void packageToPath() {
        try (VofRig r = new VofRig(true)) {
            assertEquals(22, r.one("package-to-path", r.phandle("/vdevice/vty@71000001"), VofRig.BUF, 4));
            assertEquals("/vdevice/vty@71000001", r.readString(VofRig.BUF));
            assertEquals(2, r.one("package-to-path", r.phandle("/"), VofRig.BUF, 64));
            assertEquals(ERR, r.one("package-to-path", 0x4242, VofRig.BUF, 64));
        }
    }

    @Test
    @DisplayName("write to stdout goes to the vty in 255-byte pieces and answers 0 (QEMU 7.2); an unknown ihandle is -1")
    void write() {
        try (VofRig r = new VofRig(true)) {
            String text = "0123456789".repeat(30);
            long at = r.str(text);
            assertEquals(0, r.one("write", 1, at, 300));
            assertEquals(text, r.console());
            assertEquals(ERR, r.one("write", 0x4242, at, 4));
            assertEquals(text, r.console());
        }
    }

    @Test
    @DisplayName("claim: aligned from the top claim up, an explicit range must be free, size 0 or past the RMA is -1; available follows")
    void claim() {
        try (VofRig r = new VofRig(true)) {
            assertEquals(List.of(0x170L, 0x7e90L, 0x1_0000L, 0x3f_0000L, 0x40_1000L, 0x1fbf_f000L), available(r),
                    "stub [0, 0x170), stack [0x8000, 0x10000), kernel [0x400000, +0x1000)");
            assertEquals(0x41_0000, r.one("claim", 0, 0x1_0000, 0x1_0000));
            assertEquals(0x42_0000, r.one("claim", 0, 0x1000, 0x1000));
            assertEquals(ERR, r.one("claim", 0x41_0000, 0x1000, 0));
            assertEquals(ERR, r.one("claim", 0x40_0000, 0x1000, 0), "the kernel is claimed");
            assertEquals(0x100_0000, r.one("claim", 0x100_0000, 0x1000, 0));
            assertEquals(ERR, r.one("claim", 0x200_0000, 0, 0));
            assertEquals(ERR, r.one("claim", 0, 0x1000, 0x4000_0000L), "aligned past the 512 MiB RMA");
            assertEquals(List.of(0x170L, 0x7e90L, 0x1_0000L, 0x3f_0000L, 0x40_1000L, 0xf000L, 0x42_0000L, 0L,
                    0x42_1000L, 0xbd_f000L, 0x100_1000L, 0x1eff_f000L), available(r));
            assertEquals(0, r.call("release", 0, 0x100_0000, 0x1000).length);
            assertEquals(0x100_0000, r.one("claim", 0x100_0000, 0x1000, 0), "released, free again");
        }
    }

    private static List<Long> available(VofRig r) {
        int mem = r.phandle("/memory@0");
        int n = r.one("getprop", mem, r.str("available"), VofRig.BUF, 512);
        List<Long> v = new ArrayList<>();
        for (int i = 0; i < n; i += 8) {
            v.add(r.read(VofRig.BUF + i) << 32 | r.read(VofRig.BUF + i + 4));
        }
        return v;
    }

    @Test
    @DisplayName("an unknown service, a wrong argument count and call-method answer -1; nret 0 writes nothing")
    void unknownAndMiscounted() {
        try (VofRig r = new VofRig(true)) {
            assertEquals(ERR, r.one("frobnicate", 1));
            assertEquals(H_SUCCESS, r.status);
            assertEquals(ERR, r.one("finddevice", r.str("/"), 0));
            assertEquals(ERR, (int) r.call("finddevice", 2, r.str("/"))[0]);
            assertEquals(0, r.call("finddevice", 0, r.str("/")).length);
            assertEquals(0x5a5a5a5aL, r.read(VofRig.ARGS + 16), "no return cells, nothing written");
            assertEquals(ERR, r.one("call-method", r.str("ibm,client-architecture-support"), 1, 0));
            assertEquals(0, r.call("quiesce", 0).length);
            assertTrue(r.boot.client().guestErrors().contains("unknown service frobnicate (1 arguments, 1 returns)"),
                    r.boot.client().guestErrors().toString());
        }
    }

    @Test
    @DisplayName("H_PARAMETER, nothing written: an array outside RAM, 10 arguments, returns past the array, a name without NUL in 64 bytes")
    void unusableArgumentArrays() {
        try (VofRig r = new VofRig(true)) {
            long[] a = new long[9];
            a[0] = 0x7000_0000L;
            assertEquals(H_PARAMETER, r.m.hypercalls().call(VofClient.KVMPPC_H_VOF_CLIENT, a, new long[9]));
            long fd = r.str("finddevice");
            r.callRaw(fd, 10, 0);
            assertEquals(H_PARAMETER, r.status);
            r.callRaw(fd, 1, 10, r.str("/"));
            assertEquals(H_PARAMETER, r.status);
            assertEquals(0x5a5a5a5aL, r.read(VofRig.ARGS + 16));
            r.callRaw(r.str("f".repeat(64)), 1, 1, r.str("/"));
            assertEquals(H_PARAMETER, r.status);
            assertEquals(0x5a5a5a5aL, r.read(VofRig.ARGS + 16));
            a[0] = 0xc000_0000_0000_0000L | VofRig.ARGS; // the top bits are dropped (ppc64_phys_to_real)
            r.callRaw(fd, 1, 1, r.str("/"));
            assertEquals(H_SUCCESS, r.m.hypercalls().call(VofClient.KVMPPC_H_VOF_CLIENT, a, new long[9]));
            assertEquals(0x1112, r.read(VofRig.ARGS + 16));
        }
    }

    @Test
    @DisplayName("exit asks the machine to stop as power-off does")
    void exit() {
        try (VofRig r = new VofRig(true)) {
            assertFalse(r.boot.exited());
            assertEquals(0, r.call("exit", 0).length);
            assertTrue(r.boot.exited());
            assertTrue(r.m.power().poweredOff());
            assertEquals("", new String(r.consoleBytes.toByteArray(), StandardCharsets.ISO_8859_1));
        }
    }
}
