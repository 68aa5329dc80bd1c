package org.jvmm.qtest;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jvmm.address.GuestAddress;
import org.jvmm.dispatch.ExitKind;
import org.jvmm.hw.spapr.SpaprTceTable;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.kvm.soft.ScriptedCpu;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.papr.Rtas;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.jvmm.iommu.IommuFault;
import org.jvmm.vfio.iommu.EehPeOp;
import org.jvmm.vfio.iommu.SpaprTceIommu;

/**
 * The qtest-like line protocol over a {@link PseriesMachine}. One command per line; each answers
 * one line, {@code OK ...} or {@code ERR ...}; blank lines and lines starting with {@code #} are
 * skipped. Numbers are decimal, or hexadecimal with 0x (a leading minus is allowed).
 *
 * <pre>
 * readb|readw|readl|readq ADDR          OK 0xVALUE          (big-endian, as the CPU loads)
 * writeb|writew|writel|writeq ADDR VAL  OK
 * read ADDR SIZE                        OK 0xBYTES
 * write ADDR SIZE 0xBYTES               OK
 * memset ADDR SIZE BYTE                 OK
 * hcall OPCODE [ARG...]                 OK STATUS R4 R5 R6 R7 exited=yes|no
 * rtas NAME NRET [ARG...]               OK STATUS [RET...]   (arguments + NRET at most 16, as rtas_args holds)
 * exits                                 OK total=.. mmio=.. papr_hcall=.. idle=.. in_bridge=..
 * faults                                OK count=N [last=...]
 * pe [GROUP]                            OK group=N state=S(NAME) frozen=.. freezes=N
 * eeh OP                                OK RESULT   (OP: disable enable unfreeze-io unfreeze-dma get-state
 *                                                    reset-deactivate reset-hot reset-fundamental configure)
 * tce LIOBN IOBA                        OK 0xTCE    (the VMM's view of the guest table)
 * info                                  OK machine=pseries kvm-tce=.. devices=[...]
 * quit                                  OK (the session ends)
 * </pre>
 * A command the guest could get wrong answers as the machine does (all-ones, a PAPR status);
 * a malformed command is {@code ERR} and changes nothing.
 *
 * <p>Threads: one thread runs the session (it is the vCPU's thread).
 */
public final class QtestSession {
    private static final String[] EEH_OPS = {"disable", "enable", "unfreeze-io", "unfreeze-dma", "get-state",
        "reset-deactivate", "reset-hot", "reset-fundamental", "configure"};
    private static final long RTAS_BUFFER = 0x1000;

    private final PseriesMachine m;
    private final PrintStream out;
    private final ScriptedCpu cpu;
    private long inBridge;

    public QtestSession(PseriesMachine machine, PrintStream out) {
        this.m = machine;
        this.out = out;
        this.cpu = machine.cpu();
    }

    /** Runs every line of {@code in}, already decoded by the caller; returns the number of ERR answers. */
    public int run(BufferedReader in) throws IOException {
        int errors = 0;
        String line;
        while ((line = in.readLine()) != null) {
            String answer = execute(line);
            if (answer == null) {
                continue;
            }
            if (answer(answer)) {
                errors++;
            }
            if (answer.equals("OK bye")) {
                break;
            }
        }
        return errors;
    }

    /**
     * Runs every line of {@code in} (UTF-8; a line ends at LF, a CR before it is dropped); returns
     * the number of ERR answers. A line that is not valid UTF-8, or longer than {@link #MAX_LINE}
     * bytes, answers {@code ERR line N: ...} and the session goes on with the next line.
     */
    public int run(InputStream in) throws IOException {
        int errors = 0;
        ScriptLines lines = new ScriptLines(in);
        String answer;
        while ((answer = lines.next()) != null) {
            if (lines.bad == null) {
                answer = execute(answer);
                if (answer == null) {
                    continue;
                }
            } else {
                answer = "ERR line " + lines.number + ": " + lines.bad;
            }
            if (answer(answer)) {
                errors++;
            }
            if (answer.equals("OK bye")) {
                break;
            }
        }
        return errors;
    }

    /** Prints one answer; true when it is an ERR. */
    private boolean answer(String answer) {
        out.println(answer);
        out.flush();
        return answer.startsWith("ERR");
    }

    /** The longest script line taken, in bytes: room for {@code write ADDR SIZE 0xBYTES} of 1 MiB. */
    public static final int MAX_LINE = 4 << 20;

    /** The lines of a script read as bytes and decoded one by one, so one bad line spoils only itself. */
    private static final class ScriptLines {
        private final InputStream in;
        private final byte[] buffer = new byte[64 << 10];
        private int position;
        private int limit;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        long number;
        String bad;

        ScriptLines(InputStream in) {
            this.in = in;
        }

        /** The next line (null at the end); {@link #bad} says why it cannot be used, or is null. */
        String next() throws IOException {
            line.reset();
            bad = null;
            boolean tooLong = false;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = Math.max(0, in.read(buffer));
                    position = 0;
                    if (limit == 0) {
                        if (!any) {
                            return null;
                        }
                        break;
                    }
                }
                any = true;
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                int n = Math.min(position - start, MAX_LINE - line.size());
                line.write(buffer, start, n);
                tooLong |= n < position - start;
                if (position < limit) {
                    position++; // the LF
                    break;
                }
            }
            number++;
            if (tooLong) {
                bad = "longer than " + MAX_LINE + " bytes";
                return "";
            }
            byte[] bytes = line.toByteArray();
            int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, n)).toString();
            } catch (CharacterCodingException e) {
                bad = "not valid UTF-8" + firstBadByte(bytes, n);
                return "";
            }
        }

        private static String firstBadByte(byte[] bytes, int n) {
            ByteBuffer src = ByteBuffer.wrap(bytes, 0, n);
            var result = StandardCharsets.UTF_8.newDecoder().decode(src, java.nio.CharBuffer.allocate(n + 1), true);
            return result.isError() ? " (byte 0x" + Integer.toHexString(bytes[src.position()] & 0xff) + " at column "
                    + (src.position() + 1) + ")" : "";
        }
    }

    /** Executes one line: its answer, or null for a blank or comment line. */
    public String execute(String line) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
            return null;
        }
        String[] w = t.split("\\s+");
        try {
            return "OK" + command(w);
        } catch (RuntimeException e) {
            return "ERR " + w[0] + ": " + describe(e);
        }
    }

    /**
     * What an ERR answer says about {@code e}: its message, from under the wrappers that add
     * nothing (a CompletionException from the vCPU's future, an exception made from its cause),
     * on one line; never a class name.
     */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t instanceof CompletionException || t instanceof ExecutionException
                || t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return "failed, with no message";
        }
        return m.replace('\r', ' ').replace('\n', ' ');
    }

    private String command(String[] w) {
        String cmd = w[0].toLowerCase(Locale.ROOT);
        return switch (cmd) {
            case "readb", "readw", "readl", "readq" -> {
                args(w, 1);
                CompletableFuture<Long> f = cpu.load(new GuestAddress(num(w[1])), size(cmd.charAt(4)));
                m.runUntilIdle();
                yield " 0x" + Long.toHexString(f.join());
            }
            case "writeb", "writew", "writel", "writeq" -> {
                args(w, 2);
                cpu.store(new GuestAddress(num(w[1])), size(cmd.charAt(5)), num(w[2]));
                m.runUntilIdle();
                yield "";
            }
            case "read" -> {
                args(w, 2);
                CompletableFuture<byte[]> f = cpu.readBlock(new GuestAddress(num(w[1])), length(w[2]));
                m.runUntilIdle();
                yield " 0x" + HexFormat.of().formatHex(f.join());
            }
            case "write" -> {
                args(w, 3);
                int n = length(w[2]);
                byte[] b = bytes(w[3]);
                if (b.length != n) {
                    throw new IllegalArgumentException("size " + n + " but " + b.length + " bytes of data");
                }
                cpu.writeBlock(new GuestAddress(num(w[1])), b);
                m.runUntilIdle();
                yield "";
            }
            case "memset" -> {
                args(w, 3);
                byte[] b = new byte[length(w[2])];
                java.util.Arrays.fill(b, (byte) num(w[3]));
                cpu.writeBlock(new GuestAddress(num(w[1])), b);
                m.runUntilIdle();
                yield "";
            }
            case "hcall" -> hcall(w);
            case "rtas" -> rtas(w);
            case "exits" -> exits();
            case "faults" -> faults();
            case "pe" -> pe(w);
            case "eeh" -> eeh(w);
            case "tce" -> {
                args(w, 2);
                SpaprTceTable t = m.phb().tableByLiobn(num(w[1]));
                if (t == null) {
                    throw new IllegalArgumentException("no TCE table for LIOBN " + w[1]);
                }
                Long tce = t.getTce(num(w[2]));
                if (tce == null) {
                    throw new IllegalArgumentException("ioba " + w[2] + " is outside LIOBN " + w[1] + "'s window");
                }
                yield " 0x" + Long.toHexString(tce);
            }
            case "info" -> info();
            case "quit" -> " bye";
            default -> throw new IllegalArgumentException("unknown command (try: readb/w/l/q, writeb/w/l/q, read, write, memset, "
                    + "hcall, rtas, exits, faults, pe, eeh, tce, info, quit)");
        };
    }

    private String hcall(String[] w) {
        if (w.length < 2 || w.length > 11) {
            throw new IllegalArgumentException("usage: hcall OPCODE [ARG...] (at most 9 arguments)");
        }
        long[] args = new long[w.length - 2];
        for (int i = 0; i < args.length; i++) {
            args[i] = num(w[i + 2]);
        }
        long before = m.vcpu().hcallExits();
        CompletableFuture<long[]> f = cpu.hcall(num(w[1]), args);
        m.runUntilIdle();
        long[] r = f.join();
        boolean exited = m.vcpu().hcallExits() != before;
        if (!exited) {
            inBridge++;
        }
        return " " + r[0] + " 0x" + Long.toHexString(r[1]) + " 0x" + Long.toHexString(r[2]) + " 0x" + Long.toHexString(r[3])
                + " 0x" + Long.toHexString(r[4]) + " exited=" + (exited ? "yes" : "no");
    }

    private String rtas(String[] w) {
        if (w.length < 3) {
            throw new IllegalArgumentException("usage: rtas NAME NRET [ARG...]");
        }
        int token = m.rtas().token(w[1]);
        if (token < 0) {
            throw new IllegalArgumentException("unknown RTAS call " + w[1] + "; known: " + m.rtas().tokens().keySet());
        }
        long nret = num(w[2]);
        int nargs = w.length - 3;
        if (nret < 0 || nargs + nret > Rtas.ARGS_CELLS) {
            throw new IllegalArgumentException(nargs + " argument(s) and NRET " + w[2] + " do not fit the " + Rtas.ARGS_CELLS
                    + " cells of rtas_args");
        }
        var mem = m.systemMemory();
        mem.write(new GuestAddress(RTAS_BUFFER), 4, token);
        mem.write(new GuestAddress(RTAS_BUFFER + 4), 4, nargs);
        mem.write(new GuestAddress(RTAS_BUFFER + 8), 4, nret);
        for (int i = 0; i < nargs; i++) {
            mem.write(new GuestAddress(RTAS_BUFFER + 12 + 4L * i), 4, num(w[3 + i]));
        }
        long rets = RTAS_BUFFER + 12 + 4L * nargs;
        for (int i = 0; i < nret; i++) {
            mem.write(new GuestAddress(rets + 4L * i), 4, 0);
        }
        CompletableFuture<long[]> f = cpu.hcall(Papr.KVMPPC_H_RTAS, RTAS_BUFFER);
        m.runUntilIdle();
        if (f.join()[0] != Papr.H_SUCCESS) {
            return " " + f.join()[0] + " (H_RTAS failed)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nret; i++) {
            long v = mem.read(new GuestAddress(rets + 4L * i), 4);
            sb.append(' ').append(i == 0 ? Long.toString((int) v) : "0x" + Long.toHexString(v));
        }
        return sb.toString();
    }

    private String exits() {
        Map<ExitKind, Long> s = m.exitCounters().snapshot();
        return " total=" + m.exitCounters().total() + " mmio=" + s.getOrDefault(ExitKind.MMIO, 0L) + " papr_hcall="
                + s.getOrDefault(ExitKind.PAPR_HCALL, 0L) + " idle=" + m.idleReturns() + " in_bridge="
                + cpu.fastPathHypercalls();
    }

    private String faults() {
        List<IommuFault> f = m.platform().faults().faults();
        return " count=" + m.platform().faults().total() + (f.isEmpty() ? "" : " last=" + f.get(f.size() - 1).toString().replace(' ', '_'));
    }

    private List<IommuGroup> groups() {
        List<IommuGroup> out = new ArrayList<>();
        if (m.vfio() != null) {
            m.vfio().groups().forEach(g -> out.add(g.iommuGroup()));
        }
        return out;
    }

    private String pe(String[] w) {
        List<IommuGroup> gs = groups();
        if (gs.isEmpty()) {
            throw new IllegalArgumentException("no VFIO group in the machine");
        }
        IommuGroup g = gs.get(0);
        if (w.length > 1) {
            int n = length(w[1]);
            g = gs.stream().filter(x -> x.id() == n).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("group " + n + " is not in the machine"));
        }
        SpaprTceIommu iommu = (SpaprTceIommu) m.vfio().container().backend();
        PartitionableEndpoint pe = iommu.phb().pe(g);
        var st = pe.eehState();
        String[] names = {"normal", "reset", "stopped", "?", "stopped-dma", "unavailable"};
        int s = st.vfioState();
        return " group=" + g.id() + " state=" + s + "(" + names[s] + ") mmio_frozen=" + st.mmioFrozen() + " dma_frozen="
                + st.dmaFrozen() + " freezes=" + pe.freezeCount();
    }

    private String eeh(String[] w) {
        args(w, 1);
        int op = java.util.Arrays.asList(EEH_OPS).indexOf(w[1].toLowerCase(Locale.ROOT));
        if (op < 0) {
            throw new IllegalArgumentException("unknown EEH op " + w[1] + "; known: " + String.join(" ", EEH_OPS));
        }
        if (m.vfio() == null) {
            throw new IllegalArgumentException("no VFIO container in the machine");
        }
        // the names are in VFIO_EEH_PE_OP order: DISABLE (0) .. CONFIGURE (8)
        return " " + m.vfio().container().eehPeOp(EehPeOp.of(op));
    }

    private String info() {
        StringBuilder sb = new StringBuilder(" machine=pseries ram=0x" + Long.toHexString(m.ram().size()) + " kvm-tce="
                + (m.kvmTce() ? "on" : "off"));
        for (SpaprTceTable t : m.phb().tables()) {
            sb.append(" liobn=0x").append(Long.toHexString(t.liobn())).append(t.enabled()
                    ? ":0x" + Long.toHexString(t.busOffset()) + "+0x" + Long.toHexString(t.nbTable() << t.pageShift()) : ":off");
        }
        for (VfioPciDevice d : m.devices()) {
            sb.append(" device=").append(d.name()).append("@bar0=0x").append(Long.toHexString(m.bar0Address(d.devfn().device())))
                    .append(" guest-errors=").append(m.guestErrorCount(d));
        }
        return sb.toString();
    }

    private static void args(String[] w, int n) {
        if (w.length != n + 1) {
            throw new IllegalArgumentException("takes " + n + " argument(s), got " + (w.length - 1));
        }
    }

    private static int size(char c) {
        return switch (c) {
            case 'b' -> 1;
            case 'w' -> 2;
            case 'l' -> 4;
            default -> 8;
        };
    }

    private static int length(String s) {
        long v = num(s);
        if (v < 0 || v > (1 << 20)) {
            throw new IllegalArgumentException("size " + s + " is outside 0..1 MiB");
        }
        return (int) v;
    }

    static long num(String s) {
        boolean neg = s.startsWith("-");
        String d = neg ? s.substring(1) : s;
        long v;
        try {
            v = d.startsWith("0x") || d.startsWith("0X") ? Long.parseUnsignedLong(d.substring(2), 16) : Long.parseLong(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
        return neg ? -v : v;
    }

    private static byte[] bytes(String s) {
        if (!s.startsWith("0x") || (s.length() & 1) != 0) {
            throw new IllegalArgumentException("data '" + s + "' is not 0x followed by whole bytes of hex");
        }
        try {
            return HexFormat.of().parseHex(s.substring(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data '" + s + "' is not hex");
        }
    }
}
