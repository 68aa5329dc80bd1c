package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        String[] lines = text.split("\n");
        assertEquals("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ", lines[0]);
        assertEquals("edu-dma: PASS", lines[1]);
        assertEquals("jvmm: the guest wrote its status to the exit port (status 0x1)", lines[3]);
        assertEquals("dma bytes      8192 (4096 into guest memory, 4096 from guest memory)", lines[7]);
        assertEquals("iommu          1 maps, 0 unmaps, 0 faults", lines[8]);
        assertEquals("interrupts     2 (2 MSI, 0 INTx)", lines[9]);
        assertEquals("guest errors   0 (requests devices refused)", lines[10]);
    }
}
