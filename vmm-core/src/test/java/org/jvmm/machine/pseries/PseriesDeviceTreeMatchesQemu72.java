package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.fdt.Fdt;
import org.jvmm.machine.fdt.FdtNode;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.papr.RtasTokens;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device tree against QEMU 7.2's: {@code qemu-system-ppc64 -M pseries,dumpdtb=F -nodefaults
 * -nographic -serial null -device edu} (512 MiB, the edu in slot 0), decompiled with {@code dtc -I
 * dtb -O dts}, committed as {@code pseries/qemu-7.2-pseries-edu.dts}; jvmm's tree for the same
 * machine ({@code ./vmm -M pseries,dumpdtb=F}) decompiled the same way must equal it line for line,
 * in order, once the differences named in {@link #tolerate} are applied to QEMU's side, each with
 * its reason.
 */
class PseriesDeviceTreeMatchesQemu72 {
    private static PseriesMachine machine() {
        return new PseriesBuilder(MemoryConfig.of(512L << 20)).eduUnassigned(0).ppcCpu(false).build();
    }

    /** Node path -> its lines ("name = value;" or "name;"), in order, children as "node NAME". */
    private static Map<String, List<String>> parse(String dts) {
        Map<String, List<String>> nodes = new LinkedHashMap<>();
        List<String> path = new ArrayList<>();
        for (String raw : dts.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("/dts-v1/") || line.startsWith("/memreserve/")) {
                continue;
            }
            if (line.endsWith("{")) {
                String name = line.substring(0, line.length() - 1).strip();
                String parent = String.join("/", path);
                if (!path.isEmpty()) {
                    nodes.get(parent).add("node " + name);
                }
                path.add(name.equals("/") ? "" : name);
                nodes.put(String.join("/", path), new ArrayList<>());
            } else if (line.equals("};")) {
                path.removeLast();
            } else {
                nodes.get(String.join("/", path)).add(line);
            }
        }
        return nodes;
    }

    private static void dropProperty(Map<String, List<String>> q, String node, String prop) {
        List<String> lines = q.get(node);
        assertNotNull(lines, "QEMU's tree has node " + node);
        boolean removed = lines.removeIf(l -> l.equals(prop + ";") || l.startsWith(prop + " = "));
        assertEquals(true, removed, "QEMU's " + node + " has " + prop + " (the tolerance is still needed)");
    }

    private static void replace(Map<String, List<String>> q, String node, String prop, String value) {
        List<String> lines = q.get(node);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prop + " = ")) {
                lines.set(i, prop + " = " + value + ";");
                return;
            }
        }
        throw new AssertionError("QEMU's " + node + " has no " + prop);
    }

    private static void dropNode(Map<String, List<String>> q, String node) {
        q.keySet().removeIf(k -> k.equals(node) || k.startsWith(node + "/"));
        String parent = node.substring(0, node.lastIndexOf('/'));
        assertEquals(true, q.get(parent).remove("node " + node.substring(node.lastIndexOf('/') + 1)), node);
    }

    /** Applies the differences jvmm keeps on purpose to QEMU's tree. */
    private static void tolerate(Map<String, List<String>> q, PseriesMachine m) {
        String cpu = "/cpus/PowerPC,POWER9@0";
        String phb = "/pci@800000020000000";
        // No dynamic reconfiguration: nothing can be hot-plugged, so no DR connectors.
        for (String node : List.of("", "/cpus", phb)) {
            for (String p : List.of("ibm,drc-types", "ibm,drc-names", "ibm,drc-power-domains", "ibm,drc-indexes")) {
                dropProperty(q, node, p);
            }
        }
        dropProperty(q, cpu, "ibm,my-drc-index");
        dropProperty(q, phb, "ibm,my-drc-index");
        // A fresh random seed every QEMU run; jvmm's runs are deterministic.
        dropProperty(q, "/chosen", "rng-seed");
        // No client-architecture-support negotiation (no SLOF, no CAS).
        dropProperty(q, "/chosen", "ibm,arch-vec-5-platform-support");
        // No graphic console.
        for (String p : List.of("qemu,graphic-depth", "qemu,graphic-height", "qemu,graphic-width")) {
            dropProperty(q, "/chosen", p);
        }
        // RTAS: only the calls the machine implements have a token property (QEMU's numbers).
        Set<String> implemented = m.rtas().tokens().keySet();
        for (int t = RtasTokens.BASE; t < RtasTokens.MAX; t++) {
            if (!implemented.contains(RtasTokens.name(t))) {
                dropProperty(q, "/rtas", RtasTokens.name(t));
            }
        }
        if (!implemented.contains("ibm,change-msi")) {
            dropProperty(q, "/rtas", "ibm,change-msix-capable");
        }
        // Hypercall sets: exactly those the machine's table answers; H_LOGICAL_MEMOP is not offered.
        dropProperty(q, "/rtas", "qemu,hypertas-functions");
        replace(q, "/rtas", "ibm,hypertas-functions", "\"" + String.join("\\0",
                SpaprDeviceTree.hypertasFunctions(m.answeredHypercalls())) + "\"");
        // No EPOW or hot-plug event sources.
        dropNode(q, "/event-sources");
        // QEMU's dump was taken with -serial null: the vty is created at machine init before the
        // nvram and takes the first VIO address. jvmm's vty is placed as by -device spapr-vty (the
        // guest transcripts' command line), after the nvram: the two swap reg, unit address and
        // interrupt. The nvram's RTAS calls (nvram-fetch/-store) are not offered (dropped above).
        List<String> vty = q.remove("/vdevice/vty@71000000");
        List<String> nvram = q.remove("/vdevice/nvram@71000001");
        Map<String, List<String>> swapped = new LinkedHashMap<>();
        q.forEach((k, v) -> {
            swapped.put(k, v);
            if (k.equals("/vdevice")) {
                swapped.put("/vdevice/nvram@71000000", swapVio(nvram, "0x1101", "0x1100", "0x71000001", "0x71000000"));
                swapped.put("/vdevice/vty@71000001", swapVio(vty, "0x1100", "0x1101", "0x71000000", "0x71000001"));
            }
        });
        q.clear();
        q.putAll(swapped);
        List<String> vdev = q.get("/vdevice");
        vdev.set(vdev.indexOf("node vty@71000000"), "node nvram@71000000");
        vdev.set(vdev.indexOf("node nvram@71000001"), "node vty@71000001");
        for (String p : List.of("stdout-path", "linux,stdout-path")) {
            replace(q, "/chosen", p, "\"/vdevice/vty@71000001\"");
        }
        // The soft CPU: no large decrementer, no DFP, no VMX/VSX, no PURR/SPURR; it reports its own
        // PVR (a POWER9 DD2.2, 0x004e1202) where QEMU 7.2's default CPU is DD2.0.
        for (String p : List.of("ibm,dec-bits", "ibm,dfp", "ibm,vmx", "ibm,spurr", "ibm,purr")) {
            dropProperty(q, cpu, p);
        }
        replace(q, cpu, "cpu-version", "<0x4e1202>");
        // The edu is a vfio-pci device, in no DR connector (see above); QEMU's loc-code fallback names the type: qemu_vfio-pci.
        dropProperty(q, phb + "/legacy-device@0", "ibm,my-drc-index");
        replace(q, phb + "/legacy-device@0", "ibm,loc-code", "\"qemu_vfio-pci:0000:00:00.0\"");
    }

    /** A VIO node's lines with its interrupt and reg moved from one VIO address to the other. */
    private static List<String> swapVio(List<String> lines, String irqFrom, String irqTo, String regFrom, String regTo) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.replace("interrupts = <" + irqFrom + " ", "interrupts = <" + irqTo + " ")
                    .replace("reg = <" + regFrom + ">", "reg = <" + regTo + ">"));
        }
        return out;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PseriesDeviceTreeMatchesQemu72.class.getResourceAsStream("/pseries/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean dtcInstalled() {
        try {
            return new ProcessBuilder("dtc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    @DisplayName("decompiled with dtc, the tree equals QEMU 7.2's dump but for the named differences")
    void equalsQemusDumpButForNamedDifferences(@TempDir Path dir) throws Exception {
        assumeTrue(dtcInstalled(), "dtc (Debian device-tree-compiler) is not installed: the dtc comparison is skipped;"
                + " treeReadsBackWithQemusValues checks the same tree without it");
        try (PseriesMachine m = machine()) {
            Path dtb = dir.resolve("jvmm.dtb");
            Files.write(dtb, Fdt.write(m.deviceTree(null, null)));
            Process p = new ProcessBuilder("dtc", "-q", "-I", "dtb", "-O", "dts", dtb.toString()).start();
            String ours = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            assertEquals(0, p.exitValue(), "dtc decompiles the blob");
            Map<String, List<String>> q = parse(resource("qemu-7.2-pseries-edu.dts"));
            tolerate(q, m);
            Map<String, List<String>> j = parse(ours);
            assertEquals(List.copyOf(q.keySet()), List.copyOf(j.keySet()), "the same nodes in the same order");
            for (String node : q.keySet()) {
                assertEquals(q.get(node), j.get(node), node);
            }
        }
    }

    private static long cell(byte[] v, int i) {
        return ((v[4 * i] & 0xffL) << 24) | ((v[4 * i + 1] & 0xffL) << 16) | ((v[4 * i + 2] & 0xffL) << 8) | (v[4 * i + 3] & 0xffL);
    }

    private static String string(byte[] v) {
        return new String(v, 0, v.length - 1, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("without dtc: the blob parses back with QEMU's values for what a guest reads")
    void treeReadsBackWithQemusValues() {
        try (PseriesMachine m = machine()) {
            FdtNode t = Fdt.read(Fdt.write(m.deviceTree("console=hvc0", null)));
            assertEquals("qemu,pseries", string(t.get("compatible")));
            assertEquals("/vdevice/vty@71000001", string(t.lookup("/chosen").get("stdout-path")));
            assertEquals("console=hvc0", string(t.lookup("/chosen").get("bootargs")));
            assertEquals(0x2003, cell(t.lookup("/rtas").get("power-off"), 0));
            assertEquals(0x2016, cell(t.lookup("/rtas").get("ibm,read-pci-config"), 0));
            assertEquals(512_000_000L, cell(t.lookup("/cpus/PowerPC,POWER9@0").get("timebase-frequency"), 0));
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0},
                    t.lookup("/memory@0").get("reg"));
            assertArrayEquals(new byte[] {0x08, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                    t.lookup("/pci@800000020000000").get("reg"), "BUID 0x800000020000000");
            assertEquals(0x71000001L, cell(t.lookup("/vdevice/vty@71000001").get("reg"), 0));
            assertEquals(0x71000000L, cell(t.lookup("/vdevice/nvram@71000000").get("reg"), 0));
            assertEquals("qemu,spapr-nvram", string(t.lookup("/vdevice/nvram@71000000").get("compatible")));
            String sets = string(t.lookup("/rtas").get("ibm,hypertas-functions"));
            assertEquals(String.join("\0", SpaprDeviceTree.hypertasFunctions(m.answeredHypercalls())), sets);
            assertEquals("hcall-term hcall-interrupt hcall-tce hcall-set-mode hcall-multi-tce",
                    java.util.Arrays.stream(sets.split("\0")).filter(s -> !s.equals("hcall-splpar"))
                            .collect(java.util.stream.Collectors.joining(" ")),
                    "the console, XICS (answered in the accelerator), TCE, set-mode and multi-TCE sets, in QEMU's order");
            byte[] map = t.lookup("/pci@800000020000000").get("interrupt-map");
            assertEquals(32 * 4 * 7 * 4, map.length);
            assertEquals(0x1201, cell(map, 7 * 4 + 5), "slot 1 pin A is LSI 0x1201");
        }
    }
}
