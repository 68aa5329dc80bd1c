package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jvmm.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -qmp and -S on the command line: refused by name when they cannot work; pseries -qtest runs under a monitor. */
class QmpCommandLineOptions {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run vmm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMonitorQemuServesOtherwiseIsRefusedWithStatus2() {
        Run r = vmm("-qmp", "stdio");
        assertEquals(2, r.status());
        assertEquals("vmm: -qmp stdio: 'stdio' is not served by jvmm's monitor (use unix:PATH,server=on,wait=off"
                + " or tcp:HOST:PORT,server=on,wait=off)\n", r.err());
    }

    @Test
    void startPausedWithoutAMonitorIsRefused() {
        Run x86 = vmm("-S");
        assertEquals(2, x86.status());
        assertEquals("vmm: -S: the machine would never start: give a -qmp monitor to send cont\n", x86.err());
        Run pseries = vmm("-M", "pseries", "-qtest", "stdio", "-S");
        assertEquals(2, pseries.status());
        assertEquals("vmm: -S: the machine would never start: give a -qmp monitor to send cont\n", pseries.err());
    }

    @Test
    void aPseriesScriptRunsUnderAMonitorAndTheSocketGoesWithIt() throws Exception {
        Path script = dir.resolve("s.qtest");
        Files.writeString(script, "readl 0x200081000000\nquit\n");
        Path sock = dir.resolve("m.sock");
        Run r = vmm("-M", "pseries", "-qtest", script.toString(), "-qmp", "unix:" + sock + ",server=on,wait=off");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("OK 0x10000ed\nOK bye\n", r.out());
        assertTrue(!Files.exists(sock), "the server removed its socket");
    }
}
