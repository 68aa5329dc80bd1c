package org.jvmm.kvm.soft.ppc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jvmm.address.GuestAddress;
import org.jvmm.fuzz.Divergence;
import org.jvmm.fuzz.Fuzzer;

/**
 * Fuzzes the PPC64 CPU on random code: 16 KiB of RAM filled with instruction words (mostly ones
 * that decode, with small branch displacements and registers pointing into RAM or at MMIO),
 * random registers, MSR[EE/PR/LE] and DEC, run for a bounded number of instructions with MMIO and
 * hypercalls answered by a deterministic bus. Each case runs twice, on the interpreter alone and
 * with block translation from the {@code threshold}-th entry, and the two runs must agree on every
 * register, the retired count, RAM, and the sequence of exits and bus accesses (a {@link Divergence}
 * otherwise). Any Throwable from {@link PpcCpu} is an escape: the CPU's guest-visible outcomes are
 * interrupts and {@link PpcExit}s, never exceptions.
 */
final class PpcCpuFuzzer implements Fuzzer<PpcCpuFuzzer.Case> {
    static final int RAM = 16 << 10;
    private static final int WORDS = RAM / 4;
    private static final int MAX_RUN_CALLS = 4000;

    /** One program and starting state. {@code ram} holds the words in guest byte order. */
    private long translatedBlocks;
    private long regions;
    private long interrupts;
    private long mmioExits;
    private long hcallExits;
    private long illegalStates;

    record Case(boolean le, long msr, long pc, int cr, long xer, long ctr, long lr, long dec, int threshold, int budget,
                long[] gpr, int[] ram) {
    }

    @Override
    public String name() {
        return "ppc-cpu";
    }

    // ---------------------------------------------------------------- generation

    @Override
    public Case generate(SplittableRandom r) {
        boolean le = r.nextBoolean();
        long msr = Msr.SF | Msr.ME | (le ? Msr.LE : 0);
        if (r.nextInt(3) == 0) {
            msr |= Msr.EE;
        }
        if (r.nextInt(8) == 0) {
            msr |= Msr.PR;
        }
        long[] gpr = new long[32];
        for (int i = 0; i < 32; i++) {
            gpr[i] = value(r);
        }
        int[] ram = new int[WORDS];
        for (int i = 0; i < WORDS; i++) {
            ram[i] = r.nextInt(4) == 0 && i > 0 ? ram[i - 1] : insn(r);
        }
        long pc = r.nextInt(3) == 0 ? 0 : 4L * r.nextInt(WORDS);
        int[] thresholds = {1, 1, 2, 3, 50};
        return new Case(le, msr, pc, r.nextInt(), value(r) & 0xffffffffL, r.nextInt(4) == 0 ? value(r) : r.nextBoolean() ? r.nextInt(40) : 17 + r.nextInt(300),
                4L * r.nextInt(WORDS), r.nextInt(3) == 0 ? r.nextInt(200) : 0x7fffffffL, thresholds[r.nextInt(thresholds.length)],
                500 + r.nextInt(4000), gpr, ram);
    }

    /** A register value: RAM addresses, MMIO addresses, small and boundary numbers, or anything. */
    static long value(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0, 1, 2, 3 -> r.nextInt(RAM);
            case 4 -> RAM + r.nextInt(64);
            case 5 -> new long[] {0x8000_0000L, 0x2000_8100_0000L, 0xfffffffffffff000L, 0x8000_0000_0000_0000L,
                0x7fff_ffff_ffff_fff8L}[r.nextInt(5)] + r.nextInt(16);
            case 6, 7 -> r.nextInt(64) - 8;
            case 8 -> new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x7fffffffL, 0x80000000L, 0xffffffffL,
                Integer.MIN_VALUE}[r.nextInt(8)];
            default -> r.nextLong();
        };
    }

    private static final int[] SPECIAL = {
        0x44000022, // sc 1
        0x44000002, // sc 0
        0x7c00003c, // wait
        0x4c000024, // rfid
        0x4c00012c, // isync
        0x4e800020, // blr
        0x4e800420, // bctr
        0x4e800021, // blrl
        0x7fe00008, // trap
        0x7c0007ac, // icbi 0,0
        0x7c600164, // mtmsrd r3
        0x7c610164, // mtmsrd r3,1
        0x7c7a03a6, // mtsrr0 r3
        0x7c7b03a6, // mtsrr1 r3
        0x7c7603a6, // mtdec r3
        0x7c6903a6, // mtctr r3
        0x7c6803a6, // mtlr r3
        0x7c0004ac, // sync
        0x60000000, // nop
        0x00000000, // illegal
    };

    /** An instruction word: mostly one that decodes, with fields bent toward interesting programs. */
    static int insn(SplittableRandom r) {
        int kind = r.nextInt(100);
        if (kind < 6) {
            return SPECIAL[r.nextInt(SPECIAL.length)];
        }
        if (kind < 14) {
            return r.nextInt();
        }
        int w = 0;
        for (int tries = 0; tries < 64; tries++) {
            w = r.nextInt();
            if (PpcDecoder.decode(w, 0).op() != Op.ILLEGAL) {
                break;
            }
        }
        int opcd = w >>> 26;
        if (opcd == 18) { // b: a nearby target, mostly relative
            int disp = (r.nextInt(128) - 96) * 4;
            w = (18 << 26) | (disp & 0x03fffffc) | (r.nextInt(8) == 0 ? 2 : 0) | (w & 1);
        } else if (opcd == 16 && r.nextInt(4) == 0) { // bdnz a few words back: a loop CTR counts
            w = (16 << 26) | (16 << 21) | ((-4 * (1 + r.nextInt(12))) & 0xfffc);
        } else if (opcd == 16) { // bc: a nearby target
            int disp = (r.nextInt(64) - 48) * 4;
            w = (w & 0xffff0000) | (disp & 0xfffc) | (r.nextInt(16) == 0 ? 2 : 0) | (w & 1);
        } else if (r.nextInt(3) != 0) {
            // operands among a few registers, so that instructions feed each other
            int fields = (r.nextInt(8) << 21) | (r.nextInt(8) << 16) | (r.nextInt(8) << 11);
            int bent = (w & ~0x03fff800) | fields;
            if (PpcDecoder.decode(bent, 0).op() != Op.ILLEGAL) {
                w = bent;
            }
        }
        if (opcd >= 32 && opcd <= 63 && r.nextBoolean()) { // D-form memory access: a small offset
            int bent = (w & 0xffff0000) | (r.nextInt(256) - 128) & 0xfffc;
            if (PpcDecoder.decode(bent, 0).op() != Op.ILLEGAL) {
                w = bent;
            }
        }
        return w;
    }

    // ---------------------------------------------------------------- execution

    @Override
    public void execute(Case c) {
        Run interp = run(c, false);
        Run translated = run(c, true);
        translatedBlocks += translated.translatedBlocks();
        regions += translated.regions();
        for (String t : translated.trace()) {
            if (t.startsWith("exit mmio")) {
                mmioExits++;
            } else if (t.startsWith("exit Hypercall")) {
                hcallExits++;
            } else if (t.startsWith("exit IllegalState")) {
                illegalStates++;
            }
        }
        if (translated.regs().srr0() != 0 || translated.regs().srr1() != 0) {
            interrupts++;
        }
        compare(c, interp, translated);
    }

    /** What one tier did. */
    private record Run(PpcRegisters regs, long retired, long dec, byte[] ram, List<String> trace, long translatedBlocks,
            long regions) {
    }

    private static long busValue(long address, int size) {
        long h = address * 0x9E3779B97F4A7C15L + size;
        return h ^ (h >>> 29);
    }

    private Run run(Case c, boolean translate) {
        List<String> trace = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(RAM, 4096);
            ValueLayout.OfInt w = ValueLayout.JAVA_INT_UNALIGNED.withOrder(c.le() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < WORDS; i++) {
                ram.set(w, 4L * i, c.ram()[i]);
            }
            MmioHandler bus = new MmioHandler() {
                @Override
                public MmioReply load(MmioAccess a) {
                    trace.add("load " + a);
                    long v = busValue(a.address().value(), a.size());
                    return (v & 3) == 0 ? MmioReply.EXIT : new MmioReply.Completed(v & MmioAccess.sizeMask(a.size()));
                }

                @Override
                public MmioReply store(MmioAccess a) {
                    trace.add("store " + a);
                    return (busValue(a.address().value(), a.size()) & 1) == 0 ? MmioReply.EXIT : MmioReply.STORED;
                }
            };
            HypercallHandler hcalls = cpu -> {
                trace.add("hcall 0x" + Long.toHexString(cpu.gpr(3)));
                if ((cpu.gpr(3) & 1) == 0) {
                    cpu.setGpr(3, 0);
                    return HypercallHandler.Outcome.HANDLED;
                }
                return HypercallHandler.Outcome.EXIT_TO_VMM;
            };
            PpcCpu cpu = new PpcCpu(ram, bus, hcalls, c.le());
            cpu.setBlockTranslation(translate);
            cpu.translateThreshold = c.threshold();
            cpu.regionThreshold = c.threshold(); // regions as soon as blocks are translated, at threshold 1
            cpu.setRegisters(new PpcRegisters(c.pc(), c.cr(), c.ctr(), c.lr(), c.xer(), c.msr(), 0, 0, new long[4], c.gpr()));
            cpu.setDec(c.dec());
            for (int calls = 0; calls < MAX_RUN_CALLS; calls++) {
                long left = c.budget() - cpu.retiredInstructions();
                if (left <= 0) {
                    break;
                }
                PpcExit e = cpu.run(left);
                trace.add(e instanceof PpcExit.Mmio m ? "exit mmio " + m.access() : "exit " + e);
                if (e instanceof PpcExit.Mmio m) {
                    if (!m.access().write()) {
                        cpu.completeMmioLoad(busValue(m.access().address().value(), m.access().size()) >>> 3);
                    }
                } else if (e instanceof PpcExit.Hypercall) {
                    cpu.setGpr(3, -2); // H_FUNCTION
                } else if (!(e instanceof PpcExit.Halted)) {
                    break; // budget used up, or a state the model does not implement
                }
            }
            return new Run(cpu.registers(), cpu.retiredInstructions(), cpu.dec(), ram.toArray(ValueLayout.JAVA_BYTE), trace,
                    cpu.translatedBlocks(), cpu.regions());
        }
    }

    private static void compare(Case c, Run a, Run b) {
        StringBuilder d = new StringBuilder();
        if (!a.regs().equals(b.regs())) {
            d.append("\n registers: interpreter ").append(a.regs()).append("\n            translated  ").append(b.regs());
        }
        if (a.retired() != b.retired()) {
            d.append("\n retired: interpreter ").append(a.retired()).append(", translated ").append(b.retired());
        }
        if (a.dec() != b.dec()) {
            d.append("\n dec: interpreter 0x").append(Long.toHexString(a.dec())).append(", translated 0x")
                    .append(Long.toHexString(b.dec()));
        }
        int m = Arrays.mismatch(a.ram(), b.ram());
        if (m >= 0) {
            d.append("\n RAM differs first at 0x").append(Integer.toHexString(m));
        }
        if (!a.trace().equals(b.trace())) {
            int i = 0;
            while (i < Math.min(a.trace().size(), b.trace().size()) && a.trace().get(i).equals(b.trace().get(i))) {
                i++;
            }
            d.append("\n exits/bus accesses differ at #").append(i).append(": interpreter ")
                    .append(i < a.trace().size() ? a.trace().get(i) : "(end)").append(", translated ")
                    .append(i < b.trace().size() ? b.trace().get(i) : "(end)");
        }
        if (!d.isEmpty()) {
            throw new Divergence("interpreter and translated tier disagree (threshold " + c.threshold() + ", "
                    + b.translatedBlocks() + " blocks translated):" + d);
        }
    }

    @Override
    public String stats() {
        return "blocks translated " + translatedBlocks + ", regions " + regions + ", cases with an interrupt " + interrupts + ", MMIO exits "
                + mmioExits + ", hypercall exits " + hcallExits + ", stops in unmodelled state " + illegalStates;
    }

    // ---------------------------------------------------------------- corpus text

    @Override
    public byte[] render(Case c) {
        StringBuilder b = new StringBuilder("# ppc-cpu case: registers, then RAM words (guest order) by address\n");
        b.append("le ").append(c.le() ? 1 : 0).append('\n');
        b.append("msr 0x").append(Long.toHexString(c.msr())).append('\n');
        b.append("pc 0x").append(Long.toHexString(c.pc())).append('\n');
        b.append("cr 0x").append(Integer.toHexString(c.cr())).append('\n');
        b.append("xer 0x").append(Long.toHexString(c.xer())).append('\n');
        b.append("ctr 0x").append(Long.toHexString(c.ctr())).append('\n');
        b.append("lr 0x").append(Long.toHexString(c.lr())).append('\n');
        b.append("dec 0x").append(Long.toHexString(c.dec())).append('\n');
        b.append("threshold ").append(c.threshold()).append('\n');
        b.append("budget ").append(c.budget()).append('\n');
        b.append("gpr");
        for (long g : c.gpr()) {
            b.append(" 0x").append(Long.toHexString(g));
        }
        b.append('\n');
        for (int i = 0; i < WORDS; i += 8) {
            boolean zero = true;
            for (int j = i; j < i + 8; j++) {
                zero &= c.ram()[j] == 0;
            }
            if (zero) {
                continue;
            }
            b.append("ram 0x").append(Integer.toHexString(4 * i));
            for (int j = i; j < i + 8; j++) {
                b.append(' ').append(String.format("%08x", c.ram()[j]));
            }
            b.append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Case parse(byte[] file) {
        boolean le = false;
        long msr = Msr.SF | Msr.ME;
        long pc = 0;
        int cr = 0;
        long xer = 0;
        long ctr = 0;
        long lr = 0;
        long dec = 0x7fffffffL;
        int threshold = 1;
        int budget = 1000;
        long[] gpr = new long[32];
        int[] ram = new int[WORDS];
        for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] w = t.split("\\s+");
            switch (w[0]) {
                case "le" -> le = num(w[1]) != 0;
                case "msr" -> msr = num(w[1]);
                case "pc" -> pc = num(w[1]);
                case "cr" -> cr = (int) num(w[1]);
                case "xer" -> xer = num(w[1]);
                case "ctr" -> ctr = num(w[1]);
                case "lr" -> lr = num(w[1]);
                case "dec" -> dec = num(w[1]);
                case "threshold" -> threshold = (int) num(w[1]);
                case "budget" -> budget = (int) num(w[1]);
                case "gpr" -> {
                    for (int i = 1; i < w.length; i++) {
                        gpr[i - 1] = num(w[i]);
                    }
                }
                case "ram" -> {
                    int at = (int) (num(w[1]) / 4);
                    for (int i = 2; i < w.length; i++) {
                        ram[at + i - 2] = (int) Long.parseLong(w[i], 16);
                    }
                }
                default -> throw new IllegalArgumentException("ppc-cpu corpus: unknown line '" + t + "'");
            }
        }
        return new Case(le, msr, pc, cr, xer, ctr, lr, dec, threshold, budget, gpr, ram);
    }

    private static long num(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }
}
