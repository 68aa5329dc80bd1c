package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.cli.Main;

/**
 * Guest edu-bad-dma on x86 (KVM): three edu DMA commands outside the device buffer (count 2^63,
 * count 2^64 - 1, device address 2^64 - 4096) are refused by the device, complete with their
 * interrupt, and are counted as guest errors; the vCPU never fails and a good DMA afterwards works.
 */
@DisplayName("x86: an edu DMA with a huge count is refused and logged as a guest error; the run goes on")
class EduBadDmaIsRefusedAndTheRunGoesOn {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void theGuestSeesEveryRefusedCommandCompleteAndTheSummaryCountsThem() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20)) {
            var r = m.boot("edu-bad-dma");
            assertEquals("edu-bad-dma: 3 refused commands completed, 5 interrupts, 0 bytes differ after a good DMA\n"
                    + "edu-bad-dma: PASS\n", m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(3, m.edu.rejectedDmaCommands());
            assertEquals(3, m.edu.guestErrors().count());
            assertEquals("dma-range: DMA of 0x1000 bytes at device address 0xfffffffffffff000 is outside the buffer"
                    + " [0x40000, 0x41000); command refused", m.edu.guestErrors().last());
            var summary = m.machine.summary();
            assertEquals(3, summary.guestErrors());
            assertEquals(8192, summary.dmaBytes(), "only the good DMA moved bytes");
            assertEquals(0, summary.iommuFaults());
        }
    }

    @Test
    void theCommandLineExitsZeroAndItsSummaryShowsTheGuestErrors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "-kernel", "images/x86/edu-bad-dma.elf", "-m", "64M", "-device", "vfio-pci,host=0000:00:03.0,addr=3");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        String[] lines = text.split("\n");
        assertEquals("edu-bad-dma: PASS", lines[1]);
        assertEquals("guest errors   3 (requests devices refused)", lines[10]);
    }
}
