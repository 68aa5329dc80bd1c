package org.jvmm.qtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.dispatch.ExitKind;
import org.jvmm.hw.spapr.SpaprTceTable;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.kvm.soft.ScriptedCpu;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.machine.pseries.PseriesMachine;
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
 * rtas NAME NRET [ARG...]               OK STATUS [RET...]
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

    /** Runs every line of {@code in}; returns the number of ERR answers. */
    public int run(BufferedReader in) throws IOException {
        int errors = 0;
        String line;
        while ((line = in.readLine()) != null) {
            String answer = execute(line);
            if (answer == null) {
                continue;
            }
            out.println(answer);
            out.flush();
            if (answer.startsWith("ERR")) {
                errors++;
            }
            if (answer.equals("OK bye")) {
                break;
            }
        }
        return errors;
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
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return "ERR " + w[0] + ": " + e.getMessage();
        } catch (RuntimeException e) {
            return "ERR " + w[0] + ": " + e;
        }
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
        int nret = length(w[2]);
        int nargs = w.length - 3;
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
            sb.append(" device=").append(d.name()).append("@bar0=0x").append(Long.toHexString(m.bar0Address(d.devfn().device())));
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
