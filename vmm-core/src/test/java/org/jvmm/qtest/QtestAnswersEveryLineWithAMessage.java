package org.jvmm.qtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.machine.pseries.PseriesMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The qtest front end answers every command line, one line each: a line that is not UTF-8 used to
 * end the session with no answer at all ("vmm: Input length = 1"); now it answers {@code ERR} and
 * the session goes on. An {@code ERR} says what went wrong in words, never with a Java class name
 * ("ERR eeh: org.jvmm.host.ErrnoException: ..." before).
 */
class QtestAnswersEveryLineWithAMessage {
    private PseriesMachine machine;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private QtestSession session;

    @BeforeEach
    void build() {
        machine = PseriesMachine.create(PowerHost.create().platform(), 64L << 20, true);
        machine.addVfioPci(PowerHost.EDU, 1);
        session = new QtestSession(machine, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void close() {
        machine.close();
    }

    private List<String> run(byte[] script, int expectedErrors) throws IOException {
        assertEquals(expectedErrors, session.run(new ByteArrayInputStream(script)));
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aLineWithAnInvalidUtf8ByteAnswersErrAndTheNextLinesAreAnswered() throws IOException {
        byte[] script = concat(ascii("writew 0x100 0x1234\nreadb 0x10"), new byte[] {(byte) 0xff}, ascii("\nreadw 0x100\n"));
        assertEquals(List.of("OK", "ERR line 2: not valid UTF-8 (byte 0xff at column 11)", "OK 0x1234"), run(script, 1));
    }

    @Test
    @DisplayName("through the launcher, from a -qtest FILE as from stdin: the bad line is ERR, the others are answered, status 1")
    void aScriptFileWithABadByteIsAnsweredLineByLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.qtest");
        Files.write(file, concat(ascii("writeb 0x400 9\n"), new byte[] {(byte) 0x80}, ascii("\nreadb 0x400\n")));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (String source : List.of(file.toString(), "stdio")) {
            text.reset();
            int status = QtestLauncher.run("pseries", 64L << 20, source, Files.newInputStream(file),
                    new PrintStream(text, true, StandardCharsets.UTF_8));
            assertEquals(List.of("OK", "ERR line 2: not valid UTF-8 (byte 0x80 at column 1)", "OK 0x9"),
                    text.toString(StandardCharsets.UTF_8).lines().toList(), source);
            assertEquals(1, status, source);
        }
    }

    @Test
    @DisplayName("a truncated multi-byte sequence at the end of a line, CRLF line ends and a last line without LF are handled")
    void truncatedSequencesAndLineEnds() throws IOException {
        byte[] script = concat(ascii("# caf"), new byte[] {(byte) 0xc3}, ascii("\r\nwriteb 0x200 7\r\n"),
                "# ünïcode comment\n".getBytes(StandardCharsets.UTF_8), ascii("readb 0x200"));
        assertEquals(List.of("ERR line 1: not valid UTF-8 (byte 0xc3 at column 6)", "OK", "OK 0x7"), run(script, 1));
    }

    @Test
    @DisplayName("a line longer than MAX_LINE bytes answers ERR without being kept, and the session goes on")
    void anOverlongLineAnswersErr() throws IOException {
        byte[] longLine = new byte[QtestSession.MAX_LINE + 10];
        Arrays.fill(longLine, (byte) 'a');
        byte[] script = concat(longLine, ascii("\nwritel 0x300 5\nreadl 0x300\n"));
        assertEquals(List.of("ERR line 1: longer than " + QtestSession.MAX_LINE + " bytes", "OK", "OK 0x5"), run(script, 1));
    }

    @Test
    @DisplayName("an EEH op the host refuses answers the errno and its reason, not ErrnoException's class name")
    void anErrnoFromTheHostAnswersItsMessage() {
        assertEquals("OK 0", session.execute("eeh enable"));
        assertEquals("OK 0", session.execute("eeh reset-hot"));
        assertEquals("ERR eeh: VFIO_EEH_PE_OP failed: EBUSY (PE 2: configure while reset is held)", session.execute("eeh configure"));
    }

    @Test
    @DisplayName("describe() takes the message from under CompletionException and cause-only wrappers, on one line")
    void describeGivesMessagesNeverClassNames() {
        ErrnoException errno = new ErrnoException("VFIO_EEH_PE_OP", Errno.EBUSY, "held");
        String plain = QtestSession.describe(errno);
        assertFalse(plain.contains("org.jvmm"), plain);
        assertEquals(plain, QtestSession.describe(new CompletionException(errno)));
        assertEquals(plain, QtestSession.describe(new RuntimeException(errno)));
        assertEquals("two lines", QtestSession.describe(new IllegalStateException("two\nlines")));
        assertEquals("failed, with no message", QtestSession.describe(new IllegalStateException()));
    }
}
