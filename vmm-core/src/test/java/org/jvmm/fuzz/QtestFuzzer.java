package org.jvmm.fuzz;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.jvmm.qtest.QtestLauncher;
import org.jvmm.qtest.QtestSession;

/**
 * Fuzzes the qtest front end ({@code ./vmm -M pseries -qtest stdio|FILE}) with whole scripts of
 * random and adversarial lines: every command with well-formed, boundary and malformed numbers,
 * huge values, unknown commands, invalid UTF-8 and control bytes, long lines, hypercalls and RTAS
 * calls with random arguments. A script runs through {@link QtestLauncher#run} on a fresh machine,
 * from stdin or from a file (both readers), with the machine options varied.
 *
 * <p>The rule checked: every command line (neither blank nor a {@code #} comment; a line of bytes
 * that are not UTF-8 is a command line) up to the first {@code quit} gets exactly one answer line,
 * {@code OK...} or {@code ERR ...: <message>} without a Java class name, and nothing is thrown out
 * of the launcher. A case file is the raw script; its first line may be
 * {@code # machine=SPEC source=stdio|file}.
 */
final class QtestFuzzer implements Fuzzer<byte[]> {
    private static final Pattern HEADER = Pattern.compile("# machine=(\\S+) source=(stdio|file)");
    /** A Java class name in an answer: org.jvmm.x.Y, java.lang.Z ... */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(java|javax|jdk|sun|org\\.jvmm)\\.[a-z0-9_.]*[A-Z]\\w*");
    private static final String[] MACHINES = {"pseries", "pseries,kvm-tce=off", "pseries,link=seed",
        "pseries,kvm-tce=off,link=seed"};
    private static final String[] COMMANDS = {"readb", "readw", "readl", "readq", "writeb", "writew", "writel", "writeq",
        "read", "write", "memset", "hcall", "rtas", "exits", "faults", "pe", "eeh", "tce", "info"};
    private static final String[] RTAS = {"ibm,query-pe-dma-window", "ibm,create-pe-dma-window",
        "ibm,remove-pe-dma-window", "ibm,reset-pe-dma-window", "ibm,set-eeh-option", "ibm,read-slot-reset-state2",
        "ibm,set-slot-reset", "ibm,configure-pe", "ibm,bogus", "", "IBM,CREATE-PE-DMA-WINDOW"};
    private static final String[] EEH = {"disable", "enable", "unfreeze-io", "unfreeze-dma", "get-state",
        "reset-deactivate", "reset-hot", "reset-fundamental", "configure", "ENABLE", "bogus", "9"};

    private final Path scriptFile;
    private long lines;
    private long errAnswers;
    private long maxScriptMillis;

    QtestFuzzer() {
        try {
            scriptFile = Files.createTempFile("jvmm-qtest-fuzz", ".qtest");
            scriptFile.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "qtest";
    }

    // ---------------------------------------------------------------- generation

    @Override
    public byte[] generate(SplittableRandom r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("# machine=" + MACHINES[r.nextInt(MACHINES.length)] + " source=" + (r.nextBoolean() ? "stdio" : "file")
                + "\n").getBytes(StandardCharsets.UTF_8));
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(12) == 0) {
                b.writeBytes(junk(r));
            } else {
                b.writeBytes(line(r).getBytes(StandardCharsets.UTF_8));
            }
            b.writeBytes(switch (r.nextInt(20)) {
                case 0 -> new byte[] {'\r', '\n'};
                case 1 -> new byte[] {'\r'};
                default -> new byte[] {'\n'};
            });
        }
        if (r.nextInt(10) == 0) {
            b.writeBytes((r.nextBoolean() ? "quit\n" : "QUIT now\n").getBytes(StandardCharsets.UTF_8));
            b.writeBytes(line(r).getBytes(StandardCharsets.UTF_8)); // after quit: not answered
        }
        if (r.nextInt(8) == 0) {
            b.writeBytes(line(r).getBytes(StandardCharsets.UTF_8)); // a last line without a newline
        }
        return b.toByteArray();
    }

    /** Bytes that are not valid UTF-8 or are control characters, in or around a command. */
    private static byte[] junk(SplittableRandom r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (r.nextBoolean()) {
            b.writeBytes((COMMANDS[r.nextInt(COMMANDS.length)] + " ").getBytes(StandardCharsets.UTF_8));
        }
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            int c = switch (r.nextInt(6)) {
                case 0 -> 0x80 + r.nextInt(0x40); // a stray continuation byte
                case 1 -> 0xc0 + r.nextInt(0x40); // a lead byte without its continuation
                case 2 -> 0xf8 + r.nextInt(8);    // never valid
                case 3 -> r.nextInt(0x20);        // control characters (NUL, tab, FS, GS ...)
                case 4 -> 0x7f;
                default -> 0x20 + r.nextInt(0x5f);
            };
            if (c == '\n' || c == '\r') {
                c = ' ';
            }
            b.write(c);
        }
        return b.toByteArray();
    }

    /** One command line, mostly well-formed, often with a bad or extreme operand. */
    private static String line(SplittableRandom r) {
        int k = r.nextInt(100);
        if (k < 3) {
            return "";
        }
        if (k < 5) {
            return "# comment " + r.nextInt();
        }
        if (k < 8) {
            return new String[] {"bogus", "READB", "readx 0", "hcall", "rtas", "write 0 1", "\t readb\t0 ", "readb 0 0 0",
                "tce", "pe 99", "pe -1", "eeh", "quit!"}[r.nextInt(13)];
        }
        if (k < 10) {
            return "write 0x2000 " + (r.nextInt(4) == 0 ? 1 << 20 : 65536) + " 0x" + "ab".repeat(r.nextInt(4) == 0 ? 1 << 20 : 65536);
        }
        if (k < 11) {
            return "readb " + "9".repeat(10_000); // a long line with a huge number
        }
        String cmd = COMMANDS[r.nextInt(COMMANDS.length)];
        StringBuilder b = new StringBuilder(r.nextInt(10) == 0 ? cmd.toUpperCase(Locale.ROOT) : cmd);
        switch (cmd) {
            case "readb", "readw", "readl", "readq" -> b.append(' ').append(num(r, PseriesValues.address(r)));
            case "writeb", "writew", "writel", "writeq" ->
                    b.append(' ').append(num(r, PseriesValues.address(r))).append(' ').append(num(r, PseriesValues.value(r)));
            case "read" -> b.append(' ').append(num(r, PseriesValues.address(r))).append(' ').append(num(r, size(r)));
            case "write" -> {
                int n = r.nextInt(257);
                byte[] data = new byte[n];
                r.nextBytes(data);
                b.append(' ').append(num(r, PseriesValues.address(r))).append(' ')
                        .append(r.nextInt(8) == 0 ? num(r, size(r)) : Integer.toString(n))
                        .append(" 0x").append(HexFormat.of().formatHex(data));
                if (r.nextInt(10) == 0) {
                    b.append('z');
                }
            }
            case "memset" -> b.append(' ').append(num(r, PseriesValues.address(r))).append(' ').append(num(r, size(r)))
                    .append(' ').append(num(r, PseriesValues.value(r)));
            case "hcall" -> {
                long op = PseriesValues.hcallOpcode(r);
                b.append(' ').append(num(r, op));
                long[] a = PseriesValues.hcallArgs(r, op);
                int n = r.nextInt(12) == 0 ? 10 + r.nextInt(3) : Math.min(a.length, r.nextInt(10));
                for (int i = 0; i < n; i++) {
                    b.append(' ').append(num(r, i < a.length ? a[i] : r.nextLong()));
                }
            }
            case "rtas" -> {
                b.append(' ').append(RTAS[r.nextInt(RTAS.length)]);
                long nret = r.nextInt(6) == 0 ? new long[] {-1, 1 << 20, (1 << 20) + 1, 1L << 40, 256}[r.nextInt(5)] : r.nextInt(8);
                b.append(' ').append(num(r, nret));
                int n = r.nextInt(9);
                for (int i = 0; i < n; i++) {
                    long v = switch (r.nextInt(4)) {
                        case 0 -> 0x10000; // config address of bus 1 device 0
                        case 1 -> r.nextBoolean() ? 0x8000 : 0x2; // BUID halves
                        case 2 -> r.nextInt(40);
                        default -> PseriesValues.value(r);
                    };
                    b.append(' ').append(num(r, v));
                }
            }
            case "pe" -> {
                if (r.nextBoolean()) {
                    b.append(' ').append(num(r, r.nextInt(4)));
                }
            }
            case "eeh" -> b.append(' ').append(EEH[r.nextInt(EEH.length)]);
            case "tce" -> b.append(' ').append(num(r, PseriesValues.liobn(r))).append(' ').append(num(r, PseriesValues.ioba(r)));
            default -> {
            }
        }
        if (r.nextInt(25) == 0) {
            b.append(' ').append(num(r, r.nextLong())); // one operand too many
        }
        return b.toString();
    }

    private static long size(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1 << 20;
            case 2 -> (1 << 20) + 1;
            case 3 -> -1;
            default -> r.nextInt(64);
        };
    }

    /** A number as the script writes it: hex, decimal, negative, or malformed. */
    private static String num(SplittableRandom r, long v) {
        return switch (r.nextInt(24)) {
            case 0 -> "0X" + Long.toHexString(v).toUpperCase(Locale.ROOT);
            case 1 -> Long.toString(v);
            case 2 -> "-0x" + Long.toHexString(v);
            case 3 -> "0x" + Long.toHexString(v) + "0"; // possibly more than 64 bits
            case 4 -> new String[] {"", "0x", "-", "--1", "0xg", "1e3", "+5", "0b101", "18446744073709551616",
                "-9223372036854775808", "9223372036854775808", "0x10000000000000000", "١٢", "0x-1", "+0x10", "NaN"}[r.nextInt(16)];
            default -> "0x" + Long.toHexString(v);
        };
    }

    // ---------------------------------------------------------------- execution

    @Override
    public void execute(byte[] script) throws IOException {
        String machine = "pseries";
        boolean file = false;
        String first = new String(script, 0, Math.min(script.length, 200), StandardCharsets.ISO_8859_1).split("[\r\n]", 2)[0];
        var h = HEADER.matcher(first);
        if (h.matches()) {
            machine = h.group(1);
            file = h.group(2).equals("file");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int status;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            if (file) {
                Files.write(scriptFile, script);
                status = QtestLauncher.run(machine, PseriesValues.RAM, scriptFile.toString(), InputStream.nullInputStream(), ps);
            } else {
                status = QtestLauncher.run(machine, PseriesValues.RAM, "stdio", new ByteArrayInputStream(script), ps);
            }
        }
        maxScriptMillis = Math.max(maxScriptMillis, (System.nanoTime() - t0) / 1_000_000);
        String text = out.toString(StandardCharsets.UTF_8);
        String[] parts = text.split("\n", -1); // the last part is what follows the last newline
        List<String> answers = Arrays.asList(parts).subList(0, parts.length - 1);
        List<String> commands = commandLines(script);
        lines += commands.size();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the last answer is not a whole line: " + tail(text));
        }
        if (answers.size() != commands.size()) {
            throw new AssertionError(commands.size() + " command lines but " + answers.size() + " answers" + firstMismatch(commands, answers));
        }
        boolean anyErr = false;
        for (int i = 0; i < answers.size(); i++) {
            String a = answers.get(i);
            if (a.startsWith("ERR ")) {
                anyErr = true;
                errAnswers++;
                if (CLASS_NAME.matcher(a).find()) {
                    throw new AssertionError("the answer to '" + tail(commands.get(i)) + "' shows a Java class name: " + a);
                }
            } else if (!a.equals("OK") && !a.startsWith("OK ")) {
                throw new AssertionError("the answer to '" + tail(commands.get(i)) + "' is neither OK nor ERR: " + tail(a));
            }
        }
        if (status != (anyErr ? 1 : 0)) {
            throw new AssertionError("exit status " + status + " but " + (anyErr ? "an" : "no") + " ERR answer");
        }
    }

    /**
     * The lines that must be answered, as the session reads a script: a line ends at LF (a CR
     * before it is dropped; a CR elsewhere is whitespace inside the line); a line that is not
     * valid UTF-8 or is longer than {@link QtestSession#MAX_LINE} bytes is answered ERR; other
     * lines count unless blank or a comment; the first quit is the last line answered.
     */
    static List<String> commandLines(byte[] script) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < script.length) {
            int j = i;
            while (j < script.length && script[j] != '\n') {
                j++;
            }
            int end = j > i && script[j - 1] == '\r' ? j - 1 : j;
            String line;
            try {
                line = j - i > QtestSession.MAX_LINE ? null : StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(script, i, end - i)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                line = null;
            }
            i = j + 1;
            if (line == null) {
                out.add("(a line that is not UTF-8 or too long)");
                continue;
            }
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            out.add(line);
            if (t.split("\\s+")[0].toLowerCase(Locale.ROOT).equals("quit")) {
                break;
            }
        }
        return out;
    }

    private static String firstMismatch(List<String> commands, List<String> answers) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(6, Math.max(commands.size(), answers.size())); i++) {
            b.append("\n  ").append(i < commands.size() ? tail(commands.get(i)) : "(none)").append("  ->  ")
                    .append(i < answers.size() ? tail(answers.get(i)) : "(none)");
        }
        return b.toString();
    }

    private static String tail(String s) {
        return s.length() <= 160 ? s : s.substring(0, 160) + "...(" + s.length() + " chars)";
    }

    @Override
    public String stats() {
        return "command lines " + lines + ", ERR answers " + errAnswers + ", slowest script " + maxScriptMillis + " ms";
    }

    @Override
    public byte[] render(byte[] c) {
        return c;
    }

    @Override
    public byte[] parse(byte[] file) {
        return file;
    }
}
