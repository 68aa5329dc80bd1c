package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jvmm.machine.config.VfioMdevConfig;
import org.jvmm.qmp.QmpError;
import org.jvmm.qmp.X86ToyMonitored;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QMP {@code screendump} on x86-toy reaches the mediated display of an mbochs given with
 * display=on: after the guest drew its pattern the monitor writes it as PPM (QEMU's default) or
 * PNG; a format outside QEMU's ImageFormat enum, and a machine without a display, get QEMU's
 * answers (ui/console.c qmp_screendump; qapi's enum visitor) and write nothing.
 */
@DisplayName("QMP screendump writes the mdev display; bad format and no console answered as QEMU")
class QmpScreendumpWritesTheMediatedDisplay {
    @TempDir
    Path dir;

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void screendumpOfTheMbochsDisplay() throws Exception {
        try (MdevMachine m = new MdevMachine("mbochs-small", null, VfioMdevConfig.Display.ON, 1L << 30)) {
            assertTrue(m.boot("mbochs", 0, null).exitedWith(1), m.console());
            X86ToyMonitored monitored = new X86ToyMonitored(m.machine, m.host.platform(), false);
            Path ppm = dir.resolve("screen.ppm");
            monitored.screendump(ppm.toString(), "ppm");
            byte[] p = Files.readAllBytes(ppm);
            String header = "P6\n128 96\n255\n";
            assertArrayEquals(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII), Arrays.copyOf(p, header.length()));
            assertEquals(header.length() + 128 * 96 * 3, p.length);
            int at = header.length() + 3 * (8 * 128 + 8);
            assertEquals(0xff, p[at] & 0xff, "the pattern's white square at (8,8)");
            Path png = dir.resolve("screen.png");
            monitored.screendump(png.toString(), "png");
            byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
            assertArrayEquals(signature, Arrays.copyOf(Files.readAllBytes(png), 8));
            QmpError bad = assertThrows(QmpError.class, () -> monitored.screendump(dir.resolve("x.bmp").toString(), "bmp"));
            assertEquals(QmpError.ErrorClass.GenericError, bad.errorClass());
            assertEquals("Parameter 'format' does not accept value 'bmp'", bad.desc());
            assertFalse(Files.exists(dir.resolve("x.bmp")));
        }
    }

    @Test
    void aMachineWithoutADisplayHasNoConsole() {
        try (MdevMachine m = new MdevMachine("mtty-2")) {
            X86ToyMonitored monitored = new X86ToyMonitored(m.machine, m.host.platform(), false);
            QmpError none = assertThrows(QmpError.class, () -> monitored.screendump(dir.resolve("s.ppm").toString(), "ppm"));
            assertEquals("There is no console to take a screendump from", none.desc());
            assertFalse(Files.exists(dir.resolve("s.ppm")));
        }
    }
}
