package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Translated code keeps a CR field set by a compare as the compare's operands and compares them
 * where the field is read. A loop sets cr6 by a signed 32-bit compare on odd passes and an
 * unsigned 64-bit one on even passes (there of -1 and 1, on which the two orders disagree), so that where
 * the paths meet the field's kind is known only at run time; there the loop branches on cr6, reads
 * the whole CR (mfcr), copies cr6 to cr1 (mcrf) and branches on that, and combines two of cr6's
 * bits into cr0 (crxor) for an isel. Interpreted, as translated blocks and as a region, with XER[SO]
 * clear and set, every register, the CR and the count come out as a model of the ISA written here
 * computes them.
 */
class CrFieldsSetByComparesReadExactly {
    private static final int PASSES = 40;
    private static final int LT = 8;
    private static final int GT = 4;
    private static final int EQ = 2;

    /** cmp bf,l,ra,rb (l = 1: doubleword) */
    private static int cmp(int bf, int l, int ra, int rb) {
        return x(bf << 2 | l, ra, rb, 0);
    }

    /** cmpl bf,l,ra,rb */
    private static int cmpl(int bf, int l, int ra, int rb) {
        return x(bf << 2 | l, ra, rb, 32);
    }

    private static int mfcr(int rt) {
        return x(rt, 0, 0, 19);
    }

    /** mcrf bf,bfa */
    private static int mcrf(int bf, int bfa) {
        return (19 << 26) | (bf << 23) | (bfa << 18);
    }

    /** crxor bt,ba,bb */
    private static int crxor(int bt, int ba, int bb) {
        return (19 << 26) | (bt << 21) | (ba << 16) | (bb << 11) | (193 << 1);
    }

    /** isel rt,ra,rb,bc */
    private static int isel(int rt, int ra, int rb, int bc) {
        return x(rt, ra, rb, 0) | (bc << 6) | (15 << 1);
    }

    private static void load(TestMachine m, boolean so) {
        List<Integer> code = new ArrayList<>(List.of(li(20, PASSES), li(21, 0), li(22, 0), li(23, 0), li(24, 0),
                li(25, 0), li(3, -1), li(4, 1), li(5, so ? -1 : 0), mtspr(1, 5)));
        int loop = code.size();
        code.addAll(List.of(
                andiDot(3, 21, 3),
                addi(3, 3, -1),              // r3 = -1, 0, 1, 2, -1, ...
                andiDot(6, 21, 1),           // cr0: EQ on even passes, GT on odd
                bc(12, 2, 12),               // beq unsigned
                cmp(6, 0, 3, 4),             // cmpw cr6,r3,r4
                b(8),                        // b merge
                cmpl(6, 1, 3, 4),            // unsigned: cmpld cr6,r3,r4
                bc(4, 25, 8),                // merge: bf cr6.GT,skip
                addi(22, 22, 1),
                mfcr(7),                     // skip:
                add(23, 23, 7),
                mcrf(1, 6),
                bc(4, 4, 8),                 // bf cr1.LT,skip2
                addi(24, 24, 1),
                crxor(0, 25, 26),            // skip2: cr0.LT = cr6.GT ^ cr6.EQ
                isel(8, 21, 22, 0),
                add(25, 25, 8),
                addi(21, 21, 1),
                cmp(7, 1, 21, 20)));         // cmpd cr7,r21,r20
        code.add(bc(12, 28, 4 * (loop - code.size()))); // blt cr7,loop
        code.add(WAIT);
        m.code(0x1000, code.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int order(long a, long b, boolean unsigned) {
        int c = unsigned ? Long.compareUnsigned(a, b) : Long.compare(a, b);
        return c < 0 ? LT : c > 0 ? GT : EQ;
    }

    private static int field(int cr, int f) {
        return (cr >>> (28 - 4 * f)) & 0xf;
    }

    private static int withField(int cr, int f, int nibble) {
        int shift = 28 - 4 * f;
        return (cr & ~(0xf << shift)) | (nibble << shift);
    }

    /** r22, r23, r24, r25, r3, r21, r6, r7, r8, the CR and the instructions retired, as the ISA has them. */
    private static List<Long> model(boolean so) {
        int s = so ? 1 : 0;
        long r3 = 0;
        long r22 = 0;
        long r23 = 0;
        long r24 = 0;
        long r25 = 0;
        long r6 = 0;
        long r7 = 0;
        long r8 = 0;
        int cr = 0;
        long retired = 10;
        for (long r21 = 0; r21 < PASSES; ) {
            r3 = (r21 & 3) - 1;
            retired += 2;
            r6 = r21 & 1;
            cr = withField(cr, 0, order(r6, 0, false) | s);
            boolean unsigned = r6 == 0;
            cr = withField(cr, 6, (unsigned ? order(r3, 1, true) : order((int) r3, 1, false)) | s);
            retired += unsigned ? 3 : 4;
            boolean gt = (field(cr, 6) & GT) != 0;
            if (gt) {
                r22++;
            }
            retired += gt ? 2 : 1;
            r7 = cr & 0xffffffffL;
            r23 += r7;
            cr = withField(cr, 1, field(cr, 6));
            boolean lt = (field(cr, 1) & LT) != 0;
            if (lt) {
                r24++;
            }
            retired += lt ? 5 : 4;
            boolean x = gt ^ ((field(cr, 6) & EQ) != 0);
            cr = withField(cr, 0, (field(cr, 0) & ~LT) | (x ? LT : 0));
            r8 = x ? r21 : r22;
            r25 += r8;
            r21++;
            cr = withField(cr, 7, order(r21, PASSES, false) | s);
            retired += 6;
        }
        return List.of(r22, r23, r24, r25, r3, (long) PASSES, r6, r7, r8, (long) cr, retired + 1);
    }

    private static List<Long> run(TestMachine m) {
        m.cpu.setPc(new GuestAddress(0x1000));
        assertInstanceOf(PpcExit.Halted.class, m.cpu.run(1_000_000));
        List<Long> state = new ArrayList<>();
        for (int r : new int[] {22, 23, 24, 25, 3, 21, 6, 7, 8}) {
            state.add(m.cpu.gpr(r));
        }
        state.add((long) m.cpu.cr());
        state.add(m.cpu.retiredInstructions());
        return state;
    }

    @ParameterizedTest(name = "{0}, XER[SO] set {1}")
    @CsvSource({"interpreted, false", "interpreted, true", "blocks, false", "blocks, true", "regions, false",
            "regions, true"})
    void everyReadOfACompareFieldAgreesWithTheModel(String tier, boolean so) {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.tier(tier);
            load(m, so);
            List<Long> expected = model(so);
            // Of every four passes, the first compares -1 unsigned (GT: signed it would be LT), the
            // second 0 signed (LT), the third 1 unsigned (EQ) and the fourth 2 signed (GT).
            assertEquals(List.of(20L, 10L), List.of(expected.get(0), expected.get(2)));
            assertEquals(expected, run(m));
            if (tier.equals("regions")) {
                assertTrue(m.cpu.regions() > 0, "a region formed: " + m.cpu.regions());
            }
        }
    }
}
