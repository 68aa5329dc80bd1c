package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jvmm.cli.Main;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Guest (f) with -append 1 and -mdev-migrate: the guest leaves "pending" in port 0's FIFO
 * and 0x5a in SCR and passes checkpoint 1; there the VMM stops the guest's mtty (RUNNING ->
 * STOP_COPY), reads its 60-byte image, swaps in a fresh mtty-1 resumed from it and restores the
 * BARs; the guest reads the bytes and SCR back from the new card. The new card's 16 trapped
 * accesses (7 LSR + 7 RBR reads, the last LSR, SCR) show the guest read them from it.
 */
@DisplayName("guest f: an mtty migrated into a fresh mtty-1 at a checkpoint keeps its pending bytes and SCR")
class MttyMigratedAtACheckpointKeepsItsPendingBytes {
    private static final String U = "6c1e0b7a-3f2d-4e5c-9a8b-7d6e5f4a3b2c";
    private static final String V = "6c1e0b7a-3f2d-4e5c-9a8b-7d6e5f4a3b2d";

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void pendingBytesSurviveTheSwap() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "-mdev", "mtty-1,uuid=" + U, "-mdev", "mtty-1,uuid=" + V, "-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U,
                "-mdev-migrate", U + ",to=" + V, "-kernel", "images/x86/mtty.elf", "-append", "1");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err);
        List<String> lines = List.of(text.split("\n"));
        assertTrue(text.startsWith("""
                mtty: BAR0 mask 0xfffffff9, iir 0xc1, lsr 0x60
                mtty: wrote 'jvmm-mtty', read back 'jvmm-mtty' with 9 interrupts
                mtty: after checkpoint 1 read back 'pending' and SCR 0x5a (left 'pending' and 0x5a)
                mtty: PASS
                """), text);
        for (String line : List.of(
                "mdev migration at checkpoint 1: " + U + " RUNNING -> STOP_COPY, 60-byte state image (magic 0x7e9d09898c3e2c4e, "
                        + "version 1.0, 1 port(s))",
                "mdev migration at checkpoint 1: " + V + " RESUMING -> RUNNING from the image, swapped into slot 3 (BARs and command restored)",
                "mmio traps     16 (vfio-pci BAR accesses handled by the VMM)")) {
            assertTrue(lines.contains(line), "no line '" + line + "' in:\n" + text);
        }
    }
}
