package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * rlwinm, rldicl, rldicr and rldic with every shift and mask bound, translated: the translation
 * turns a rotate whose mask drops the bits brought round into a shift (left, right, or an and
 * alone), so each form is run through all its encodings and checked against ROTL and MASK as the
 * Power ISA (3.0B, 3.3.13) defines them, computed here independently of the CPU.
 */
class RotatesWithConstantShiftsTranslateExactly {
    private static final long CODE = 0x1000;
    private static final int PASSES = 3;

    /** MASK(b, e) in IBM bit numbering (bit 0 the most significant): ones from b to e, wrapping when b > e. */
    private static long mask(int b, int e) {
        long m = 0;
        for (int i = 0; i < 64; i++) {
            if (b <= e ? i >= b && i <= e : i >= b || i <= e) {
                m |= 1L << (63 - i);
            }
        }
        return m;
    }

    private record Rotate(int word, LongUnaryOperator result) {
    }

    private static int mdForm(int xo, int sh, int mbOrMe) {
        // rs = r3, ra = r4; sh's low five bits at 16-20, its high bit at 30; mb/me's low five
        // bits at 21-25, its high bit at 26 (IBM numbering).
        return 30 << 26 | 3 << 21 | 4 << 16 | (sh & 31) << 11 | (mbOrMe & 31) << 6 | (mbOrMe >>> 5) << 5 | xo << 2
                | (sh >>> 5) << 1;
    }

    private static List<Rotate> rlwinm() {
        List<Rotate> all = new ArrayList<>();
        for (int sh = 0; sh < 32; sh++) {
            for (int mb = 0; mb < 32; mb++) {
                for (int me = 0; me < 32; me++) {
                    int s = sh;
                    long m = mask(mb + 32, me + 32);
                    all.add(new Rotate(21 << 26 | 3 << 21 | 4 << 16 | sh << 11 | mb << 6 | me << 1, x -> {
                        long low = x & 0xffffffffL;
                        return Long.rotateLeft(low | low << 32, s) & m;
                    }));
                }
            }
        }
        return all;
    }

    private static List<Rotate> rld(int xo) {
        List<Rotate> all = new ArrayList<>();
        for (int sh = 0; sh < 64; sh++) {
            for (int b = 0; b < 64; b++) {
                int s = sh;
                long m = switch (xo) {
                    case 0 -> mask(b, 63); // rldicl
                    case 1 -> mask(0, b); // rldicr: b is me
                    default -> mask(b, 63 - sh); // rldic
                };
                all.add(new Rotate(mdForm(xo, sh, b), x -> Long.rotateLeft(x, s) & m));
            }
        }
        return all;
    }

    /**
     * Runs each rotate of {@code rotates} on r3 into r4, folding every r4 into r5 (r5 = r5 * 31 +
     * r4), PASSES times over (bdz out, else b back), the later passes translated; checks r4 and r5.
     */
    private static void check(String form, List<Rotate> rotates) {
        for (long r3 : new long[] {0x8123_4567_89ab_cdefL, 0x7edc_ba98_f654_3210L}) {
            try (TestMachine m = new TestMachine(0x100000 + 12L * rotates.size(), true)) {
                m.cpu.translateThreshold = 1;
                int[] code = new int[3 * rotates.size() + 2];
                int k = 0;
                for (Rotate r : rotates) {
                    code[k++] = r.word();
                    code[k++] = 7 << 26 | 5 << 21 | 5 << 16 | 31; // mulli r5,r5,31
                    code[k++] = Asm.add(5, 5, 4);
                }
                code[k++] = 16 << 26 | 18 << 21 | 8; // bdz .+8: out after the last pass
                code[k] = Asm.b(-4 * k); // b CODE
                m.code(CODE, code);
                m.cpu.setGpr(3, r3);
                m.cpu.setCtr(PASSES);
                m.cpu.setPc(new GuestAddress(CODE));
                long[] expected = {0, 0};
                for (int p = 0; p < PASSES; p++) {
                    for (Rotate r : rotates) {
                        expected[0] = r.result().applyAsLong(r3);
                        expected[1] = expected[1] * 31 + expected[0];
                    }
                }
                assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run((long) PASSES * code.length - 1));
                assertEquals(CODE + 4L * code.length, m.cpu.pc().value(), form + ": all passes ran");
                assertTrue(m.cpu.translatedBlocks() > 0, form + ": translated");
                assertEquals(expected[0], m.cpu.gpr(4), form + ": the last result");
                assertEquals(expected[1], m.cpu.gpr(5), form + ": every result, folded, r3 = 0x" + Long.toHexString(r3));
            }
        }
    }

    @Test
    @DisplayName("rlwinm: all 32 x 32 x 32 shifts and mask bounds, wrapping masks included")
    void rlwinmEveryEncoding() {
        check("rlwinm", rlwinm());
    }

    @Test
    @DisplayName("rldicl, rldicr and rldic: all 64 x 64 shifts and mask bounds")
    void rldEveryEncoding() {
        check("rldicl", rld(0));
        check("rldicr", rld(1));
        check("rldic", rld(2));
    }
}
