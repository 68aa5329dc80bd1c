package org.jvmm.qtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("qtest front end: the README's H_PUT_TCE script gives the exact transcript on both paths; bad lines are ERR")
class QtestScriptDrivesTheHPutTcePath {

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(QtestScriptDrivesTheHPutTcePath.class.getResource("/qtest/" + name).toURI());
    }

    private static List<String> run(String machine, String source, InputStream stdin, int[] status) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        status[0] = QtestLauncher.run(machine, 64L << 20, source, stdin, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void theLinkedPathAnswersTheExpectedTranscriptWithNoHypercallExit() throws Exception {
        int[] status = new int[1];
        List<String> got = run("pseries", resource("hput-tce.qtest").toString(), InputStream.nullInputStream(), status);
        List<String> expected = java.nio.file.Files.readAllLines(resource("hput-tce.expected"));
        assertEquals(expected, got);
        assertEquals(0, status[0]);
    }

    @Test
    void theUnlinkedPathGivesTheSameAnswersButEveryTceCallExits() throws Exception {
        int[] status = new int[1];
        List<String> got = run("pseries,kvm-tce=off", resource("hput-tce.qtest").toString(), InputStream.nullInputStream(), status);
        List<String> expected = java.nio.file.Files.readAllLines(resource("hput-tce.expected")).stream()
                .map(l -> l.replace("kvm-tce=on", "kvm-tce=off").replace("exited=no", "exited=yes")
                        .replace("total=16 mmio=15 papr_hcall=1 idle=22 in_bridge=4", "total=20 mmio=15 papr_hcall=5 idle=22 in_bridge=0"))
                .toList();
        assertEquals(expected, got);
        assertEquals(0, status[0]);
    }

    @Test
    void stdinWorksAndMalformedLinesAreErrWithoutStoppingTheSession() throws Exception {
        String script = """
                # comment
                readq
                writel 0x1000 zz
                hcall 0x20 0x80000001 0 3
                hcall 0x20 0x1ffffffff 0 3
                write 0x100 2 0x0102
                readw 0x100
                frobnicate
                eeh nonsense
                """;
        int[] status = new int[1];
        List<String> got = run("pseries,link=seed", "stdio",
                new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), status);
        assertEquals(8, got.size(), got.toString());
        assertTrue(got.get(0).startsWith("ERR readq: takes 1 argument"), got.get(0));
        assertTrue(got.get(1).startsWith("ERR writel: 'zz' is not a number"), got.get(1));
        assertEquals("OK -4 0x80000001 0x0 0x3 0x0 exited=yes", got.get(2), "LIOBN 0x80000001 is off: H_PARAMETER from the VMM");
        assertEquals("OK -4 0x1ffffffff 0x0 0x3 0x0 exited=yes", got.get(3));
        assertEquals("OK", got.get(4));
        assertEquals("OK 0x102", got.get(5));
        assertTrue(got.get(6).startsWith("ERR frobnicate: unknown command"), got.get(6));
        assertTrue(got.get(7).startsWith("ERR eeh: unknown EEH op nonsense"), got.get(7));
        assertEquals(1, status[0]);
    }

    @Test
    void aMachineOtherThanPseriesOrAnUnknownOptionIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> QtestLauncher.run("x86-toy", 64L << 20, "stdio",
                InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QtestLauncher.run("pseries,kvm-tce=maybe",
                64L << 20, "stdio", InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream())));
        assertEquals("-M pseries,kvm-tce=maybe: Parameter 'kvm-tce' expects 'on' or 'off', not 'maybe'", e.getMessage());
    }
}
