package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jvmm.cli.Main;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The main job through the command line: guest (c), its output, and a summary that agrees with it. */
class MainJobRunsTheEduDmaGuest {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void theCommandLinePrintsTheGuestsOutputAndAMatchingSummary() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "-kernel", "images/x86/edu-dma.elf", "-m", "64M", "-device", "vfio-pci,host=0000:00:03.0,addr=3");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err);
        List<String> lines = List.of(text.split("\n"));
        // the guest's output first, then the VMM's stop line, then the summary (in any order of its rows)
        int pass = only(lines, "edu-dma: PASS");
        assertEquals(pass - 1, only(lines, "edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ"));
        int stop = only(lines, "jvmm: the guest wrote its status to the exit port (status 0x1)");
        assertTrue(stop > pass, text);
        for (String row : List.of("dma bytes      8192 (4096 into guest memory, 4096 from guest memory)",
                "iommu          1 maps, 0 unmaps, 0 faults",
                "interrupts     2 (2 MSI, 0 INTx)",
                "guest errors   0 (requests devices refused)")) {
            assertTrue(only(lines, row) > stop, row + " after the stop line:\n" + text);
        }
    }

    /** The index of the one line equal to {@code line}; fails when there is none or more than one. */
    private static int only(List<String> lines, String line) {
        int first = lines.indexOf(line);
        assertTrue(first >= 0, "no line '" + line + "' in:\n" + String.join("\n", lines));
        assertEquals(first, lines.lastIndexOf(line), "'" + line + "' printed twice");
        return first;
    }
}
