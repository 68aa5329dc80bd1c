package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The committed test guest (src/test/ppc-guest: freestanding C + asm entry, built by build.sh with
 * powerpc64le-linux-gnu-gcc / powerpc64-linux-gnu-gcc) runs to completion on the CPU under a small
 * scripted machine standing in for the soft backend: H_PUT_TERM_CHAR is handled on the fast path,
 * the test's report hypercalls and the device register exit to "the VMM". The guest sets up its
 * stack, calls C, takes three decrementer interrupts, traps twice with tw, makes one system call,
 * does an MMIO store and a resumed MMIO load, in both byte orders, interpreted and translated.
 */
class GuestSetsUpStackCallsCTakesInterruptsAndHypercalls {
    private static final long H_PUT_TERM_CHAR = 0x58;
    private static final long H_TEST_REPORT = 0xF001;
    private static final long H_TEST_DONE = 0xF00D0000L;
    private static final long DEVICE = 0x20000000L;

    /** What one run of the guest showed. */
    private record Run(Map<Long, Long> reports, List<String> exits, String console, int fastPathCalls, long decodedBlocks,
            long translatedBlocks, long untranslatableBlocks, PpcExit afterDone) {
    }

    /** Runs the guest to its done call with translation at {@code threshold} (0: interpreter only). */
    private static Run run(String endian, int threshold) throws IOException {
        boolean le = endian.equals("le");
        byte[] image;
        try (InputStream in = GuestSetsUpStackCallsCTakesInterruptsAndHypercalls.class.getResourceAsStream(
                "/ppc/guest-" + endian + ".bin")) {
            image = in.readAllBytes();
        }
        try (TestMachine m = new TestMachine(16 << 20, le)) {
            MemorySegment.copy(MemorySegment.ofArray(image), 0, m.ram, 0, image.length);
            StringBuilder console = new StringBuilder();
            int[] fastPathCalls = {0};
            m.hcalls = cpu -> {
                if (cpu.gpr(3) != H_PUT_TERM_CHAR) {
                    return HypercallHandler.Outcome.EXIT_TO_VMM;
                }
                long n = cpu.gpr(5);
                long chars = cpu.gpr(6);
                for (int k = 0; k < n; k++) {
                    console.append((char) ((chars >>> (56 - 8 * k)) & 0xff));
                }
                cpu.setGpr(3, 0);
                fastPathCalls[0]++;
                return HypercallHandler.Outcome.HANDLED;
            };
            PpcCpu cpu = m.cpu;
            // 0 = interpreter only; 1 = every block translated on first entry; 50 = the default.
            cpu.setBlockTranslation(threshold > 0);
            cpu.translateThreshold = Math.max(threshold, 1);
            cpu.setPc(new GuestAddress(0));
            Map<Long, Long> reports = new LinkedHashMap<>();
            List<String> exits = new ArrayList<>();
            boolean done = false;
            for (int guard = 0; guard < 100 && !done; guard++) {
                PpcExit exit = cpu.run(10_000_000);
                switch (exit) {
                    case PpcExit.Hypercall h when h.opcode() == H_TEST_REPORT -> {
                        reports.put(cpu.gpr(4), cpu.gpr(5));
                        exits.add("report " + cpu.gpr(4));
                        cpu.setGpr(3, 0);
                        cpu.setGpr(4, 0x600d);
                    }
                    case PpcExit.Hypercall h when h.opcode() == H_TEST_DONE -> {
                        exits.add("done");
                        done = true;
                    }
                    case PpcExit.Mmio(MmioAccess a) -> {
                        exits.add((a.write() ? "store " : "load ") + a.address() + "/" + a.size() + "/" + a.order());
                        if (!a.write()) {
                            cpu.completeMmioLoad(0x1000);
                        } else {
                            assertEquals(0x1234abcdL, a.value(), "value the guest stored to the device");
                        }
                    }
                    default -> throw new AssertionError("unexpected exit " + exit + " at " + cpu.pc());
                }
            }
            PpcExit after = cpu.run(1000);
            return new Run(reports, exits, console.toString(), fastPathCalls[0], cpu.decodedBlocks(), cpu.translatedBlocks(),
                    cpu.untranslatableBlocks(), after);
        }
    }

    @ParameterizedTest(name = "{0}, translation threshold {1}")
    @CsvSource({"le, 1", "be, 1", "le, 50", "be, 0"})
    void guestRunsToCompletion(String endian, int threshold) throws IOException {
        boolean le = endian.equals("le");
        Run r = run(endian, threshold);
        Map<Long, Long> reports = r.reports();
        String order = le ? "LITTLE_ENDIAN" : "BIG_ENDIAN";
        assertEquals(List.of("report 1", "store 0x20000000/4/" + order, "load 0x20000004/4/" + order,
                "report 2", "report 3", "report 6", "report 4", "report 7", "report 5", "done"), r.exits());
        assertEquals("hello from C on a soft PPC64\nbye\n", r.console());
        assertEquals(4 + 1, r.fastPathCalls(), "H_PUT_TERM_CHAR calls handled in place (up to 8 chars each)");
        assertEquals(2880067194370816120L, reports.get(1L), "fib(90) computed by the guest");
        assertEquals(0x1000L + 0xCBF43926L, reports.get(2L), "MMIO value + crc32(\"123456789\")");
        assertEquals(3L, reports.get(3L), "decrementer interrupts taken");
        long tbDelta = reports.get(6L);
        // DEC set to 5000 raises its exception when it passes below zero, 5001 ticks later: three
        // periods take at least 3 x 5001 ticks, plus the guest's own instructions around them.
        assertTrue(Long.compareUnsigned(tbDelta, 3 * 5001) >= 0,
                "timebase ticks across three 5000-tick decrementer periods: " + tbDelta);
        if (threshold > 0) {
            // One instruction is one tick whichever tier runs it, so translated code sees the
            // interpreter's timebase exactly.
            assertEquals(run(endian, 0).reports().get(6L), tbDelta, "timebase ticks as the interpreter counts them");
        }
        assertEquals(2L, reports.get(4L), "tw traps taken");
        long srr1 = reports.get(7L);
        assertEquals(Vector.SRR1_TRAP, srr1 & Vector.SRR1_SPECIFIC, "SRR1 of the trap says trap");
        assertEquals(Msr.SF | Msr.ME | (le ? Msr.LE : 0), srr1 & ~Vector.SRR1_SPECIFIC,
                "SRR1 holds the MSR at the trap (EE off again)");
        assertEquals(1L, reports.get(5L), "system calls taken");
        assertInstanceOf(PpcExit.Hypercall.class, r.afterDone(), "after main returns the guest keeps saying done");
        if (threshold == 0) {
            assertEquals(0, r.translatedBlocks(), "the interpreter alone translates nothing");
        } else if (threshold == 1) {
            // At threshold 1 every block goes to the translator on its first entry: each block
            // decoded is translated or refused (left to the interpreter), none waits.
            assertTrue(r.translatedBlocks() > 0, "some blocks translated");
            assertEquals(r.decodedBlocks(), r.translatedBlocks() + r.untranslatableBlocks(),
                    "decoded = translated + refused");
        }
    }
}
