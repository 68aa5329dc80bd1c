package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A region that calls a looping function (by bl, or through CTR), with the caller's registers
 * written before the call and read after it, leaves every register, LR, CTR, CR and the retired
 * count exactly as the interpreter does, also when the callee's loop holds an instruction only the
 * interpreter runs, so that the region leaves from inside the callee on every pass. Region methods
 * are kept from C1 by a compiler directive.
 */
class RegionCallsAndReturnsKeepEveryRegisterExact {
    private static final int BDNZ = 16;
    private static final int BCTRL = 0x4E800421;
    private static final int FUNCTION = 0x1200;


    /** cmpdi cr0,ra,si */
    private static int cmpdi(int ra, int si) {
        return (11 << 26) | (1 << 21) | (ra << 16) | (si & 0xffff);
    }

    /**
     * A caller looping 30 times: it writes r14 and r15, calls FUNCTION (bl, or bctrl through
     * r12), then reads r14 and r3 into r16. The function loops 8 times on CTR summing into r3 and
     * r6; with {@code sideExit} its loop holds an instruction only the interpreter runs (mfspr
     * SPRG0), so the region leaves from inside the callee on every pass.
     */
    private static void load(TestMachine m, boolean throughCtr, boolean sideExit) {
        List<Integer> caller = new ArrayList<>(List.of(li(14, 0), li(15, 0), li(16, 0), li(20, 30),
                li(12, FUNCTION)));
        int loop = 0x1000 + 4 * caller.size();
        caller.addAll(List.of(addi(14, 14, 3), addi(15, 15, 5)));
        if (throughCtr) {
            caller.addAll(List.of(mtspr(9, 12), BCTRL));
        } else {
            int at = 0x1000 + 4 * caller.size();
            caller.add(b(FUNCTION - at) | 1);
        }
        caller.addAll(List.of(add(16, 16, 14), add(16, 16, 3), addi(20, 20, -1), cmpdi(20, 0)));
        int at = 0x1000 + 4 * caller.size();
        caller.add(bc(4, 2, loop - at)); // bne loop
        caller.add(WAIT);
        m.code(0x1000, caller.stream().mapToInt(Integer::intValue).toArray());
        if (sideExit) {
            m.code(FUNCTION, li(5, 8), mtspr(9, 5), li(3, 0),
                    add(3, 3, 5), mfspr(7, 272), addi(6, 6, 1), bc(BDNZ, 0, -12), BLR);
        } else {
            m.code(FUNCTION, li(5, 8), mtspr(9, 5), li(3, 0),
                    add(3, 3, 5), addi(5, 5, -1), addi(6, 6, 1), bc(BDNZ, 0, -12), BLR);
        }
    }

    private static List<Long> run(TestMachine m) {
        return m.runToHalt(0x1000);
    }

    @ParameterizedTest(name = "call through CTR {0}, side exit in the callee''s loop {1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void aRegionCallingALoopingFunctionAgreesWithTheInterpreter(boolean throughCtr, boolean sideExit) {
        try (TestMachine interpreted = new TestMachine(0x10000, true);
                TestMachine regions = new TestMachine(0x10000, true)) {
            interpreted.cpu.setBlockTranslation(false);
            regions.cpu.translateThreshold = 1;
            regions.cpu.setRegionThreshold(1);
            load(interpreted, throughCtr, sideExit);
            load(regions, throughCtr, sideExit);
            List<Long> expected = run(interpreted);
            // r14 = 3 per pass, r15 = 5 per pass, r16 sums r14 and the callee's r3 (8 + 7 + ... + 1
            // without the side exit, 8 * 8 with it: there r5 stays 8), r6 counts the callee's passes.
            long perCall = sideExit ? 64 : 36;
            long r16 = 0;
            for (int pass = 1; pass <= 30; pass++) {
                r16 += 3L * pass + perCall;
            }
            assertEquals(List.of(90L, 150L, r16, 240L), List.of(expected.get(14), expected.get(15), expected.get(16),
                    expected.get(6)));
            assertEquals(expected, run(regions));
            assertTrue(regions.cpu.regions() > 0, "a region formed: " + regions.cpu.regions());
        }
    }

    @Test
    void regionMethodsAreKeptFromC1ByACompilerDirective() throws Exception {
        assertTrue(BlockCompiler.C1Off.ADDED, "the directive was added");
        Object listing = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                "compilerDirectivesPrint", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String text = String.valueOf(listing);
        assertTrue(text.contains("org/jvmm/kvm/soft/ppc/Region*.run") || text.contains("org.jvmm.kvm.soft.ppc.Region*.run"),
                "the directive names the region classes: " + text);
    }
}
