package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.devices.mbochs.MbochsDevice;
import org.jvmm.hw.display.Frame;
import org.jvmm.hw.display.ScreenDump;
import org.jvmm.machine.config.VfioMdevConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guest (g): mbochs with display=on. The guest draws a test pattern; the VMM dumps
 * the screen at checkpoints and the pixels are checked; the video memory BAR is faulted in on the
 * first touch, revoked when the guest turns decode off, and faulted in again on the next touch.
 */
@DisplayName("guest g: mbochs display=on, the pattern in the screen dump; BAR faulted in, revoked, faulted in again")
class MbochsScreenDumpAndBarFaults {
    @TempDir
    Path dir;

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void patternFaultsAndDumps() throws Exception {
        try (MdevMachine m = new MdevMachine("mbochs-small", null, VfioMdevConfig.Display.ON, 1L << 30)) {
            MbochsDevice dev = (MbochsDevice) m.mdev.vendorDevice();
            List<String> seen = new ArrayList<>();
            List<Frame> frames = new ArrayList<>();
            var r = m.boot("mbochs", 0, n -> {
                frames.add(m.machine.displays().get(0).capture());
                seen.add(n + ": fault-ins " + dev.faultIns() + ", revocations " + dev.revocations());
                try {
                    m.machine.screendump(dir.resolve("screen" + n + ".ppm"), ScreenDump.Format.PPM);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals("""
                    mbochs: id 0xb0c5, video memory 4096 KiB (BAR0 4096 KiB), BAR2 4096 bytes
                    mbochs: pixel (0,0) 0x40, pixel (8,8) 0xffffff
                    mbochs: PASS
                    """, m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(List.of("1: fault-ins 1, revocations 0", "2: fault-ins 2, revocations 1"), seen);
            Frame first = frames.get(0);
            assertEquals(128, first.width());
            assertEquals(96, first.height());
            assertEquals(0x000040, first.rgb(0, 0));
            assertEquals(0xfeb040, first.rgb(127, 88));
            assertEquals(0x101040, first.rgb(8, 8));
            Frame second = frames.get(1);
            assertEquals(0xffffff, second.rgb(8, 8));
            assertEquals(0xffffff, second.rgb(23, 23));
            assertEquals(0x301840, second.rgb(24, 12));
            byte[] ppm = Files.readAllBytes(dir.resolve("screen2.ppm"));
            int header = "P6\n128 96\n255\n".length();
            assertEquals(header + 128 * 96 * 3, ppm.length);
            int at = header + 3 * (8 * 128 + 8);
            assertEquals(List.of(0xff, 0xff, 0xff), List.of(ppm[at] & 0xff, ppm[at + 1] & 0xff, ppm[at + 2] & 0xff));
        }
    }
}
