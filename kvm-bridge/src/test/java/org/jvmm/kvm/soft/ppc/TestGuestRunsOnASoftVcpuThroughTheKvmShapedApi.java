package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.spapr.Papr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed test guest (src/test/ppc-guest/guest.c + entry.S) runs to completion on a soft
 * vCPU of a soft VM, through {@code Vcpu.run()} and its KVM-shaped exits only: it sets up its
 * stack, calls C, takes three decrementer interrupts, traps twice, makes a system call, and
 * talks to the VMM by hypercalls (console H_PUT_TERM_CHAR, which KVM does not handle in the
 * kernel, and the test's report calls: all PAPR_HCALL exits answered through the exit's data),
 * an MMIO store and an MMIO load completed with the VMM's bytes. Both byte orders.
 */
class TestGuestRunsOnASoftVcpuThroughTheKvmShapedApi {
    private static final long H_PUT_TERM_CHAR = 0x58;
    private static final long H_TEST_REPORT = 0xF001;
    private static final long H_TEST_DONE = 0xF00D0000L;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    void guestRunsToCompletion(String endian) {
        boolean le = endian.equals("le");
        try (SoftPpcMachine m = new SoftPpcMachine(le)) {
            m.loadImage("guest");
            StringBuilder console = new StringBuilder();
            Map<Long, Long> reports = new LinkedHashMap<>();
            List<String> exits = new ArrayList<>();
            boolean done = false;
            for (int guard = 0; guard < 100 && !done; guard++) {
                VcpuExit exit = m.run();
                switch (exit) {
                    case VcpuExit.PaprHcall h when h.nr() == H_PUT_TERM_CHAR -> {
                        long n = h.arg(1);
                        long chars = h.arg(2);
                        for (int k = 0; k < n; k++) {
                            console.append((char) ((chars >>> (56 - 8 * k)) & 0xff));
                        }
                        h.respond(Papr.H_SUCCESS);
                    }
                    case VcpuExit.PaprHcall h when h.nr() == H_TEST_REPORT -> {
                        reports.put(h.arg(0), h.arg(1));
                        exits.add("report " + h.arg(0));
                        h.respond(Papr.H_SUCCESS, 0x600d);
                    }
                    case VcpuExit.PaprHcall h when h.nr() == H_TEST_DONE -> {
                        exits.add("done");
                        done = true;
                    }
                    case VcpuExit.Mmio mmio -> {
                        exits.add((mmio.isWrite() ? "store " : "load ") + mmio.address() + "/" + mmio.length());
                        byte[] data = mmio.data().toArray(ValueLayout.JAVA_BYTE);
                        if (mmio.isWrite()) {
                            byte[] expected = le ? new byte[] {(byte) 0xcd, (byte) 0xab, 0x34, 0x12}
                                    : new byte[] {0x12, 0x34, (byte) 0xab, (byte) 0xcd};
                            assertArrayEquals(expected, data, "0x1234abcd stored, bytes in guest memory order");
                        } else {
                            // The device answers 0x1000: bytes in the guest's order, as KVM expects them.
                            byte[] answer = le ? new byte[] {0x00, 0x10, 0, 0} : new byte[] {0, 0, 0x10, 0x00};
                            mmio.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(answer));
                        }
                    }
                    default -> throw new AssertionError("unexpected exit " + exit + " at " + m.cpu.pc());
                }
            }
            assertEquals(List.of("report 1", "store 0x20000000/4", "load 0x20000004/4",
                    "report 2", "report 3", "report 6", "report 4", "report 7", "report 5", "done"), exits);
            assertEquals("hello from C on a soft PPC64\nbye\n", console.toString());
            assertEquals(2880067194370816120L, reports.get(1L), "fib(90), and the VMM's r4 answer 0x600d reached it");
            assertEquals(0x1000L + 0xCBF43926L, reports.get(2L), "the VMM's MMIO value + crc32(\"123456789\")");
            assertEquals(3L, reports.get(3L), "decrementer interrupts taken");
            long tbDelta = reports.get(6L);
            assertTrue(tbDelta >= 3 * 5001 && tbDelta < 3 * 5001 + 1000, "timebase ticks over three DEC periods: " + tbDelta);
            assertEquals(2L, reports.get(4L), "tw traps taken");
            assertEquals(Vector.SRR1_TRAP, reports.get(7L) & Vector.SRR1_SPECIFIC, "SRR1 of the trap says trap");
            assertEquals(1L, reports.get(5L), "system calls taken");
            assertEquals(0, m.soft.fastPathHypercalls(), "no call of this guest is one the in-bridge path takes");
            assertEquals(5 + 7 + 1, m.vcpu.hcallExits(), "5 console writes, 7 reports, done");
            assertEquals(2, m.vcpu.mmioExits());
            assertInstanceOf(VcpuExit.PaprHcall.class, m.run(), "after main returns the guest keeps saying done");
        }
    }
}
