package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every implemented instruction variant against qemu-ppc64le (little-endian, all kinds) and
 * qemu-ppc64 (big-endian: loads and stores, plus ALU samples): the CPU executes the instruction
 * word the oracle executed, from the same inputs, and must produce the same r5, r6, r7, CR, XER, LR,
 * CTR, branch/trap outcome and memory buffer. One dynamic test per instruction variant.
 */
class InstructionSemanticsMatchQemuOracle {
    private static final long INSN = 0x1000;
    private static final long BUF = 0x3000;

    private static final int B_NEXT = 0x48000004; // b .+4

    @TestFactory
    Stream<DynamicTest> littleEndianVectorsInterpreted() throws IOException {
        return tests("/ppc/vectors-le.txt.gz", true, 400, false);
    }

    @TestFactory
    Stream<DynamicTest> bigEndianVectorsInterpreted() throws IOException {
        return tests("/ppc/vectors-be.txt.gz", false, 60, false);
    }

    /** The same vectors through BlockCompiler: every block is translated on first entry. */
    @TestFactory
    Stream<DynamicTest> littleEndianVectorsTranslated() throws IOException {
        return tests("/ppc/vectors-le.txt.gz", true, 400, true);
    }

    @TestFactory
    Stream<DynamicTest> bigEndianVectorsTranslated() throws IOException {
        return tests("/ppc/vectors-be.txt.gz", false, 60, true);
    }

    private Stream<DynamicTest> tests(String resource, boolean le, int atLeast, boolean translated) throws IOException {
        Map<String, List<OracleVectors.Case>> vectors = OracleVectors.load(resource);
        assertTrue(vectors.size() >= atLeast, resource + " holds only " + vectors.size() + " instruction variants");
        TestMachine m = new TestMachine(0x10000, le);
        m.cpu.setBlockTranslation(translated);
        m.cpu.translateThreshold = 1;
        List<DynamicTest> tests = new ArrayList<>();
        if (translated) {
            long variants = vectors.values().stream().map(List::getFirst)
                    .filter(c -> BlockCompiler.translatable(PpcDecoder.decode(c.word(), INSN), true)).count();
            tests.add(dynamicTest("most instruction variants are translatable", () -> assertTrue(
                    variants * 10 >= vectors.size() * 6, variants + " of " + vectors.size() + " translatable")));
        }
        for (var e : vectors.entrySet()) {
            String name = (le ? "LE " : "BE ") + (translated ? "translated " : "") + e.getKey();
            tests.add(dynamicTest(name, () -> {
                for (OracleVectors.Case c : e.getValue()) {
                    check(m, c, translated);
                }
            }));
        }
        return tests.stream().onClose(m::close);
    }

    private static void check(TestMachine m, OracleVectors.Case c, boolean translated) {
        PpcCpu cpu = m.cpu;
        long[] in = c.in();
        // Translated: follow the instruction with "b .+4" so that it forms a block of its own.
        boolean tail = translated && (c.kind() == OracleVectors.ALU || c.kind() == OracleVectors.MEM);
        if (tail) {
            m.code(INSN, c.word(), B_NEXT);
        } else {
            m.code(INSN, c.word());
        }
        if (c.kind() == OracleVectors.MEM) {
            for (int k = 0; k < OracleVectors.BUF_LEN; k++) {
                m.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, BUF + k, (byte) (k * 29 + 90 + 7 * c.seed()));
            }
        }
        long base = c.kind() == OracleVectors.MEM ? BUF + OracleVectors.BUF_BASE : 0;
        cpu.setGpr(5, in[0]);
        cpu.setGpr(6, in[1] + base);
        cpu.setGpr(7, in[2]);
        cpu.setCr((int) in[3]);
        cpu.setXer(in[4]);
        cpu.setLr(INSN + in[5]);
        cpu.setCtr(in[6] + (c.kind() == OracleVectors.BRANCH_CTR ? INSN : 0));
        cpu.setPc(new GuestAddress(INSN));
        long translatedBefore = cpu.translatedBlocks();
        PpcExit exit = cpu.run(tail ? 2 : 1);
        if (translated) {
            DecodedInsn d = PpcDecoder.decode(c.word(), INSN);
            // An instruction that ends its block leaves "b .+4" a block of its own, translated too.
            boolean alone = !tail || PpcCpu.endsBlock(d.op());
            int expected = (BlockCompiler.translatable(d, alone) ? 1 : 0) + (tail && alone ? 1 : 0);
            assertEquals(translatedBefore + expected, cpu.translatedBlocks(),
                    "blocks translated for " + c.asm());
        }
        String what = c.asm() + " inputs " + hex(in);
        assertInstanceOf(PpcExit.BudgetExhausted.class, exit, what);
        long[] out = c.out();
        assertEquals(hex(out[0]), hex(cpu.gpr(5)), "r5 after " + what);
        assertEquals(hex(out[1]), hex(cpu.gpr(6) - base), "r6 after " + what);
        assertEquals(hex(out[2]), hex(cpu.gpr(7)), "r7 after " + what);
        assertEquals(hex(out[3]), hex(cpu.cr() & 0xffffffffL), "CR after " + what);
        assertEquals(hex(out[4]), hex(cpu.xer()), "XER after " + what);
        assertEquals(hex(out[5]), hex(cpu.lr() - INSN), "LR-insn after " + what);
        long ctr = cpu.ctr() - (c.kind() == OracleVectors.BRANCH_CTR ? INSN : 0);
        assertEquals(hex(out[6]), hex(ctr), "CTR after " + what);
        long pc = cpu.pc().value();
        switch (c.kind()) {
            case OracleVectors.BRANCH, OracleVectors.BRANCH_CTR -> {
                assertEquals(out[7] != 0 ? INSN + 8 : INSN + 4, pc, "branch target of " + what);
            }
            case OracleVectors.TRAP -> {
                if (out[7] != 0) {
                    assertEquals(Vector.PROGRAM, pc, "trap taken by " + what);
                    assertEquals(INSN, cpu.srr0(), "SRR0 of the trap of " + what);
                    assertEquals(Vector.SRR1_TRAP, cpu.srr1() & Vector.SRR1_SPECIFIC, "SRR1 cause of " + what);
                    cpu.setMsr(cpu.srr1());
                } else {
                    assertEquals(INSN + 4, pc, "no trap for " + what);
                }
            }
            default -> assertEquals(INSN + (tail ? 8 : 4), pc, "next PC after " + what);
        }
        if (c.kind() == OracleVectors.MEM) {
            for (int k = 0; k < OracleVectors.BUF_LEN; k++) {
                byte got = m.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, BUF + k);
                assertEquals(c.buffer()[k], got, "buffer byte " + k + " after " + what);
            }
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String hex(long[] v) {
        StringBuilder b = new StringBuilder("[");
        for (long x : v) {
            b.append(b.length() > 1 ? " " : "").append(Long.toHexString(x));
        }
        return b.append(']').toString();
    }
}
