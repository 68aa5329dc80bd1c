package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line: the main job prints the memory map; bad options are named. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    @Test
    void theDefaultJobPrintsTheDefaultMachinesMemoryMap() {
        assertEquals(0, run());
        String map = out.toString(StandardCharsets.UTF_8);
        assertTrue(map.contains("address-space: memory\n  0000000000000000-000000ffffffffff (prio 0, container): system\n"
                + "    0000000000000000-0000000003ffffff (prio 0, alias): ram-below-4g @pc.ram 0000000000000000-0000000003ffffff\n"), map);
        assertTrue(map.contains("FlatView #0\n AS \"memory\", root: system\n  0000000000000000-0000000003ffffff (ram): pc.ram\n"), map);
        assertTrue(map.contains("    00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"), map);
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
    void aBadSizeIsRefusedNamingIt() {
        assertEquals(2, run("-m", "lots"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("'lots' is not a size"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownMachineIsRefusedNamingTheKnownOnes() {
        assertEquals(2, run("-M", "pc"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown machine 'pc'; known: x86-toy"));
    }
}
