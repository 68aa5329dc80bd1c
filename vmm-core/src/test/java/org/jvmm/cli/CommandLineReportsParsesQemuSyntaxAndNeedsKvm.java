package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line: reports, refusals of bad options, and the answer on a host without KVM. */
class CommandLineReportsParsesQemuSyntaxAndNeedsKvm {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void infoMtreePrintsTheMachinesMemoryMap() {
        assertEquals(0, run("--info", "mtree"));
        String map = out.toString(StandardCharsets.UTF_8);
        assertTrue(map.contains("address-space: memory\n  0000000000000000-000000ffffffffff (prio 0, container): system\n"
                + "    0000000000000000-0000000003ffffff (prio 0, alias): ram-below-4g @pc.ram 0000000000000000-0000000003ffffff\n"), map);
        assertTrue(map.contains("FlatView #0\n AS \"memory\", root: system\n  0000000000000000-0000000003ffffff (ram): pc.ram\n"), map);
        assertTrue(map.contains("    00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"), map);
    }

    @Test
    void withoutKvmTheRunIsRefusedSayingWhatIsMissing() {
        assertEquals(3, run("--kvm-device", "/nonexistent/kvm"));
        assertTrue(err().contains("vmm: cannot run x86-toy here: open /nonexistent/kvm failed: ENOENT"), err());
        assertTrue(err().contains("needs KVM (hardware virtualization through /dev/kvm"), err());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void memorySizeFollowsQemusSyntax() {
        assertEquals(64L << 20, SizeConverter.parse("64M"));
        assertEquals(64L << 20, SizeConverter.parse("64"));
        assertEquals(1L << 30, SizeConverter.parse("1G"));
        assertEquals(512L << 10, SizeConverter.parse("512k"));
        assertEquals(2L << 30, SizeConverter.parse("2GB"));
    }

    @Test
    void deviceOptionsParseAsDriverAndProperties() {
        DeviceOption d = DeviceOption.parse("vfio-pci,host=0000:00:03.0,addr=4");
        assertEquals("vfio-pci", d.driver());
        assertEquals("0000:00:03.0", d.require("-device", "host"));
        assertEquals("4", d.get("addr", "3"));
        assertEquals(2, run("-device", "host=1"));
        assertTrue(err().contains("'host=1' does not start with a driver name"), err());
    }

    @Test
    void aBadSizeIsRefusedNamingIt() {
        assertEquals(2, run("-m", "lots"));
        assertTrue(err().contains("'lots' is not a size"), err());
    }

    @Test
    void anUnknownMachineIsRefusedNamingTheKnownOnes() {
        assertEquals(2, run("-M", "pc"));
        assertTrue(err().contains("unknown machine 'pc'; known: x86-toy, pseries"), err());
    }
}
