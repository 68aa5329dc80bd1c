package org.jvmm.fuzz;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.hw.vfio.VfioSpaprSpace;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.kvm.soft.ScriptedCpu;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.PseriesConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;

/**
 * Fuzzes everything a pseries guest can touch, through the machine's scripted vCPU exactly as a
 * CPU does it (loads and stores of every size to RAM, to edu's BAR0 and around it, to the PHB's
 * MMIO window and to nothing; block accesses; hypercalls of every opcode with random and
 * well-shaped arguments: H_PUT_TCE/H_GET_TCE with random LIOBNs, IOBAs and permission bits,
 * H_PUT_TCE_INDIRECT with TCE lists written into RAM first, H_STUFF_TCE with random counts; RTAS
 * buffers with random tokens, nargs, nret and contents through KVMPPC_H_RTAS; edu DMA programmed
 * through its registers with random bus addresses, counts and commands, often after mapping a TCE).
 * The machine options (kvm-tce on/off, KVM-VFIO link) vary by case; each case runs on a fresh
 * machine from {@link PseriesBuilder}: the edu of a {@link org.jvmm.host.kernel.PowerHost} in slot 1.
 *
 * <p>An escape is any Throwable out of the machine while it handles an action (out of
 * {@link PseriesMachine#runUntilIdle} or a failed access future). A case is a text file of one
 * action per line: {@code machine kvm-tce=on|off link=mainline|seed}, {@code load ADDR SIZE},
 * {@code store ADDR SIZE VALUE}, {@code readblock ADDR LENGTH}, {@code writeblock ADDR HEX},
 * {@code hcall OPCODE ARG...}, {@code rtas BUFFER NAME|TOKEN NARGS NRET WORD...}.
 */
final class PseriesGuestFuzzer implements Fuzzer<List<String>> {
    private static final String[] RTAS = {"ibm,query-pe-dma-window", "ibm,create-pe-dma-window",
        "ibm,remove-pe-dma-window", "ibm,reset-pe-dma-window", "ibm,set-eeh-option", "ibm,read-slot-reset-state2",
        "ibm,set-slot-reset", "ibm,configure-pe"};
    private static final int[] SIZES = {1, 2, 4, 8};

    private long actions;
    private long successes;
    private long mmioExits;
    private long faults;

    @Override
    public String name() {
        return "guest-pseries";
    }

    // ---------------------------------------------------------------- generation

    @Override
    public List<String> generate(SplittableRandom r) {
        List<String> out = new ArrayList<>();
        out.add("machine kvm-tce=" + (r.nextInt(3) == 0 ? "off" : "on") + " link=" + (r.nextInt(4) == 0 ? "seed" : "mainline"));
        int n = 10 + r.nextInt(60);
        while (out.size() < n) {
            action(r, out);
        }
        return out;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static void action(SplittableRandom r, List<String> out) {
        int k = r.nextInt(100);
        if (k < 18) {
            out.add("load " + hex(PseriesValues.address(r)) + " " + SIZES[r.nextInt(4)]);
        } else if (k < 36) {
            out.add("store " + hex(PseriesValues.address(r)) + " " + SIZES[r.nextInt(4)] + " " + hex(PseriesValues.value(r)));
        } else if (k < 40) {
            out.add("readblock " + hex(PseriesValues.address(r)) + " " + r.nextInt(1 + (r.nextBoolean() ? 16 : 4096)));
        } else if (k < 44) {
            byte[] b = new byte[r.nextInt(1 + (r.nextBoolean() ? 16 : 512))];
            r.nextBytes(b);
            out.add("writeblock " + hex(PseriesValues.address(r)) + " " + HexFormat.of().formatHex(b));
        } else if (k < 64) {
            long op = PseriesValues.hcallOpcode(r);
            StringBuilder b = new StringBuilder("hcall ").append(hex(op));
            long[] a = PseriesValues.hcallArgs(r, op);
            for (int i = 0; i < Math.min(a.length, 9); i++) {
                b.append(' ').append(hex(a[i]));
            }
            out.add(b.toString());
        } else if (k < 72) {
            rtas(r, out);
        } else if (k < 80) {
            indirect(r, out);
        } else {
            eduDma(r, out);
        }
    }

    /** An RTAS call: a buffer with a token (by name or any number), nargs, nret and words. */
    private static void rtas(SplittableRandom r, List<String> out) {
        long buffer = r.nextInt(4) == 0 ? PseriesValues.address(r) : 0x1000 + 4L * r.nextInt(1024);
        String token = r.nextInt(6) == 0 ? hex(r.nextInt(4) == 0 ? r.nextLong() & 0xffffffffL : r.nextInt(64))
                : RTAS[r.nextInt(RTAS.length)];
        int nargs = r.nextInt(10);
        long nargsWord = r.nextInt(8) == 0 ? r.nextLong() & 0xffffffffL : nargs;
        long nret = r.nextInt(8) == 0 ? new long[] {0xffffffffL, 1 << 20, 255, 256, r.nextLong() & 0xffffffffL}[r.nextInt(5)]
                : r.nextInt(8);
        StringBuilder b = new StringBuilder("rtas ").append(hex(buffer)).append(' ').append(token).append(' ')
                .append(hex(nargsWord)).append(' ').append(hex(nret));
        for (int i = 0; i < nargs; i++) {
            long v = switch (r.nextInt(5)) {
                case 0 -> 0x10000; // config address: bus 1, device 0
                case 1 -> r.nextBoolean() ? 0x8000000 : 0x20000000L; // BUID halves (0x0800000020000000)
                case 2 -> r.nextInt(40);
                case 3 -> r.nextLong() & 0xffffffffL;
                default -> PseriesValues.value(r) & 0xffffffffL;
            };
            b.append(' ').append(hex(v));
        }
        out.add(b.toString());
    }

    /** H_PUT_TCE_INDIRECT with a TCE list the guest wrote into RAM first, or H_STUFF_TCE. */
    private static void indirect(SplittableRandom r, List<String> out) {
        long liobn = PseriesValues.liobn(r);
        long ioba = PseriesValues.ioba(r);
        if (r.nextBoolean()) {
            out.add("hcall " + hex(Papr.H_STUFF_TCE) + " " + hex(liobn) + " " + hex(ioba) + " " + hex(PseriesValues.tce(r)) + " "
                    + hex(new long[] {0, 1, 2, 512, 513, r.nextInt(4096), 1L << 18, -1}[r.nextInt(8)]));
            return;
        }
        int n = r.nextInt(8) == 0 ? 512 + r.nextInt(3) - 1 : r.nextInt(16);
        long list = (r.nextLong(PseriesValues.RAM) & ~0xfffL) | (r.nextInt(6) == 0 ? 8L * r.nextInt(512) : 0);
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < Math.min(n, 512); i++) {
            w.append(String.format("%016x", PseriesValues.tce(r)));
        }
        if (w.length() > 0) {
            out.add("writeblock " + hex(list) + " " + w);
        }
        out.add("hcall " + hex(Papr.H_PUT_TCE_INDIRECT) + " " + hex(liobn) + " " + hex(ioba) + " " + hex(list) + " " + hex(n));
    }

    /** An edu DMA: often a mapped page first, then source, destination, count and command. */
    private static void eduDma(SplittableRandom r, List<String> out) {
        long bar = PseriesValues.EDU_BAR0;
        long ioba = PseriesValues.ioba(r) & (r.nextInt(4) == 0 ? -1L : (PseriesValues.RAM - 1) & ~0xfffL);
        if (r.nextInt(3) != 0) {
            out.add("hcall " + hex(Papr.H_PUT_TCE) + " " + hex(PseriesValues.LIOBN32) + " " + hex(ioba & ~0xfffL) + " "
                    + hex((r.nextLong(PseriesValues.RAM) & ~0xfffL) | r.nextInt(4)));
        }
        boolean toRam = r.nextBoolean();
        long device = EduDevice.DMA_BUFFER_START + (r.nextInt(4) == 0 ? r.nextInt(EduDevice.DMA_BUFFER_SIZE + 64) : 0);
        long bus = ioba + (r.nextInt(4) == 0 ? r.nextInt(8192) : 0);
        long count = r.nextInt(4) == 0 ? PseriesValues.eduDmaValue(r) : 1 + r.nextInt(4096);
        long cmd = EduDevice.DMA_CMD_RUN | (toRam ? EduDevice.DMA_CMD_TO_RAM : 0) | (r.nextBoolean() ? EduDevice.DMA_CMD_IRQ : 0);
        out.add("store " + hex(bar + EduDevice.REG_DMA_SRC) + " 8 " + hex(toRam ? device : bus));
        out.add("store " + hex(bar + EduDevice.REG_DMA_DST) + " 8 " + hex(toRam ? bus : device));
        out.add("store " + hex(bar + EduDevice.REG_DMA_COUNT) + " 8 " + hex(count));
        out.add("store " + hex(bar + EduDevice.REG_DMA_CMD) + " " + (r.nextInt(4) == 0 ? 4 : 8) + " " + hex(r.nextInt(8) == 0 ? r.nextLong() : cmd));
        out.add("load " + hex(bar + EduDevice.REG_DMA_CMD) + " 8");
        if (r.nextBoolean()) {
            out.add("load " + hex(bar + EduDevice.REG_IRQ_STATUS) + " 4");
            out.add("store " + hex(bar + EduDevice.REG_IRQ_ACK) + " 4 " + hex(r.nextInt(4) == 0 ? r.nextLong() : EduDevice.DMA_IRQ));
        }
    }

    // ---------------------------------------------------------------- execution

    @Override
    public void execute(List<String> c) throws Exception {
        boolean kvmTce = true;
        VfioSpaprSpace.KvmLink link = VfioSpaprSpace.KvmLink.MAINLINE;
        if (!c.isEmpty() && c.get(0).startsWith("machine ")) {
            kvmTce = !c.get(0).contains("kvm-tce=off");
            link = c.get(0).contains("link=seed") ? VfioSpaprSpace.KvmLink.SEED_LIOBN : VfioSpaprSpace.KvmLink.MAINLINE;
        }
        Map<Integer, String> fds = ProcessFds.snapshot();
        try (PseriesMachine m = new PseriesBuilder(MemoryConfig.of(PseriesValues.RAM))
                .options(new PseriesConfig(kvmTce, link)).build()) {
            for (String line : c) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("machine ")) {
                    continue;
                }
                try {
                    act(m, line.strip().split("\\s+"));
                } catch (Throwable t) {
                    throw new GuestActionEscaped(line, t);
                }
                actions++;
            }
            mmioExits += m.exitCounters().total();
            faults += m.platform().faults().total();
        }
        FdAccounting.check(fds, "the machine");
    }

    private void act(PseriesMachine m, String[] w) {
        ScriptedCpu cpu = m.cpu();
        switch (w[0]) {
            case "load" -> done(m, cpu.load(new GuestAddress(num(w[1])), (int) num(w[2])));
            case "store" -> done(m, cpu.store(new GuestAddress(num(w[1])), (int) num(w[2]), num(w[3])));
            case "readblock" -> done(m, cpu.readBlock(new GuestAddress(num(w[1])), (int) num(w[2])));
            case "writeblock" -> done(m, cpu.writeBlock(new GuestAddress(num(w[1])),
                    w.length > 2 ? HexFormat.of().parseHex(w[2]) : new byte[0]));
            case "hcall" -> {
                long[] args = new long[w.length - 2];
                for (int i = 0; i < args.length; i++) {
                    args[i] = num(w[i + 2]);
                }
                long[] ret = done(m, cpu.hcall(num(w[1]), args));
                if (ret[0] == Papr.H_SUCCESS) {
                    successes++;
                }
            }
            case "rtas" -> {
                long buffer = num(w[1]);
                int token = w[2].startsWith("0x") ? (int) num(w[2]) : m.rtas().token(w[2]);
                int nargs = w.length - 5;
                byte[] b = new byte[12 + 4 * nargs];
                putWord(b, 0, token);
                putWord(b, 4, num(w[3]));
                putWord(b, 8, num(w[4]));
                for (int i = 0; i < nargs; i++) {
                    putWord(b, 12 + 4 * i, num(w[5 + i]));
                }
                done(m, cpu.writeBlock(new GuestAddress(buffer), b));
                long[] ret = done(m, cpu.hcall(Papr.KVMPPC_H_RTAS, buffer));
                if (ret[0] == Papr.H_SUCCESS) {
                    successes++;
                }
            }
            default -> throw new IllegalArgumentException("guest-pseries case: unknown action " + w[0]);
        }
    }

    private static <T> T done(PseriesMachine m, CompletableFuture<T> f) {
        m.runUntilIdle();
        if (!f.isDone()) {
            throw new AssertionError("the vCPU went idle with the access unanswered");
        }
        return f.join();
    }

    private static void putWord(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static long num(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    @Override
    public String stats() {
        return "guest actions " + actions + ", hypercalls answered H_SUCCESS " + successes + ", exits " + mmioExits
                + ", IOMMU faults " + faults;
    }

    // ---------------------------------------------------------------- corpus text

    @Override
    public byte[] render(List<String> c) {
        return LineCorpus.render("guest-pseries case: one guest action per line", c);
    }

    @Override
    public List<String> parse(byte[] file) {
        return LineCorpus.parse(file);
    }
}
