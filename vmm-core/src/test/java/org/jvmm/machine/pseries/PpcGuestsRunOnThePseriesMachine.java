package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.H_PUT_TCE;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.dispatch.ExitKind;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.kvm.soft.PpcSoftCpu;
import org.jvmm.memory.DispatchCounters;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real guest code (kvm-bridge's src/test/ppc-guest, big-endian images) on the pseries machine with
 * the PPC64 CPU: the test guest (stack, C, decrementer, traps, system call, hypercalls answered
 * by the machine's PAPR table and its vty, an MMIO store and load to an address nothing decodes), and the
 * H_PUT_TCE loop guest mapping guest pages for the vfio-pci edu: in the accelerator when the
 * tables are linked (no exit), through the machine's PAPR layer and the VFIO notifier otherwise;
 * the device's DMA then reads the guest pages through the IOMMU either way.
 */
class PpcGuestsRunOnThePseriesMachine {
    private static final long H_TEST_REPORT = 0xF001;
    private static final long H_TEST_BATCH_DONE = 0xF003;
    private static final long H_TEST_DONE = 0xF00D0000L;
    private static final long LIOBN = 0x8000_0000L;
    private static final long PARAMS = 0x100000;
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static void load(PseriesMachine m, String image) {
        byte[] bytes;
        try (InputStream in = PpcGuestsRunOnThePseriesMachine.class.getResourceAsStream("/ppc/" + image)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, m.ram().segment(), 0, bytes.length);
        PpcSoftCpu cpu = m.ppcCpu();
        cpu.ppc().invalidateCode(new GuestAddress(0), bytes.length);
        cpu.ppc().setPc(new GuestAddress(0));
    }

    @Test
    @DisplayName("the test guest runs to completion; its hypercalls go through the PAPR table, its MMIO through the memory dispatch")
    void testGuestRunsToCompletion() {
        PowerHost host = PowerHost.create();
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        try (PseriesMachine m = PseriesMachine.createWithPpcCpu(host.platform(), 32L << 20, true, false,
                new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.ISO_8859_1))) {
            load(m, "guest-be.bin");
            Map<Long, Long> reports = new LinkedHashMap<>();
            boolean[] done = {false};
            m.hypercalls().register(H_TEST_REPORT, (args, rets) -> {
                reports.put(args[0], args[1]);
                rets[0] = 0x600d;
                return H_SUCCESS;
            });
            m.hypercalls().register(H_TEST_DONE, (args, rets) -> {
                done[0] = true;
                return H_SUCCESS;
            });
            DispatchCounters.Snapshot before = m.systemMemory().counters().snapshot();
            m.runUntil(() -> done[0]);

            assertEquals("hello from C on a soft PPC64\nbye\n", console.toString(java.nio.charset.StandardCharsets.ISO_8859_1),
                    "H_PUT_TERM_CHAR on termno 0 (the default vty's alias) reaches the machine's vty");
            assertEquals(2880067194370816120L, reports.get(1L), "fib(90)");
            assertEquals((0xffff_ffffL + 0xCBF43926L) & 0xffff_ffffL, reports.get(2L),
                    "nothing decodes 0x20000004: the load read all-ones (u32 arithmetic in the guest)");
            assertEquals(3L, reports.get(3L), "decrementer interrupts taken");
            assertEquals(2L, reports.get(4L), "tw traps taken");
            assertEquals(1L, reports.get(5L), "system calls taken");
            assertEquals(7, reports.size());
            DispatchCounters.Snapshot after = m.systemMemory().counters().snapshot();
            assertEquals(1, after.unassignedWrites() - before.unassignedWrites(), "the MMIO store reached the dispatch");
            assertEquals(1, after.unassignedReads() - before.unassignedReads(), "the MMIO load reached the dispatch");
            assertEquals(2, m.exitCounters().count(ExitKind.MMIO));
            assertEquals(5 + 7 + 1, m.exitCounters().count(ExitKind.PAPR_HCALL));
            assertEquals(0, m.hypercalls().unknownCalls());
        }
    }

    @ParameterizedTest(name = "kvmTce={0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("H_PUT_TCE from guest code maps pages the edu's DMA then reads: in the accelerator when linked, through the PAPR layer otherwise")
    void putTceFromGuestCodeFeedsDeviceDma(boolean kvmTce) {
        PowerHost host = PowerHost.create();
        try (PseriesMachine m = PseriesMachine.createWithPpcCpu(host.platform(), 32L << 20, kvmTce, false)) {
            m.addVfioPci(PowerHost.EDU, 1);
            assertTrue(m.vfio().errors().isEmpty(), m.vfio().errors().toString());
            load(m, "tce-be.bin");
            int n = 64;
            long[] params = {LIOBN, 0x40000, 0x1000, 0x400000 | 1, 0x1000, n, n};
            for (int i = 0; i < params.length; i++) {
                m.ram().segment().set(BE_LONG, PARAMS + 8L * i, params[i]);
            }
            long[] report = new long[4];
            boolean[] done = {false};
            m.hypercalls().register(H_TEST_BATCH_DONE, (args, rets) -> {
                System.arraycopy(args, 0, report, 0, 4);
                done[0] = true;
                return H_SUCCESS;
            });
            byte[] pattern = new byte[n * 4096];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 31 + 7);
            }
            MemorySegment.copy(pattern, 0, m.ram().segment(), ValueLayout.JAVA_BYTE, 0x400000, pattern.length);

            m.runUntil(() -> done[0]);

            assertArrayEquals(new long[] {n, H_SUCCESS, 0, 1}, report, "ok, last status, status sum, batches");
            if (kvmTce) {
                assertEquals(1, m.vcpu().hcallExits(), "linked: only the batch report left the accelerator");
                assertEquals(n, m.ppcCpu().fastPathHypercalls());
                assertEquals(0, m.hypercalls().count(H_PUT_TCE));
                assertEquals(0, m.vfio().notifierMaps());
            } else {
                assertEquals(n + 1, m.vcpu().hcallExits(), "unlinked: every H_PUT_TCE exited");
                assertEquals(n, m.hypercalls().count(H_PUT_TCE));
                assertEquals(n, m.vfio().notifierMaps(), "each call mapped through the VFIO notifier");
            }
            byte[] got = new byte[pattern.length];
            SpaprTceIommu iommu = (SpaprTceIommu) m.vfio().container().backend();
            assertNull(iommu.transfer(Iova.of(0x40000), MemorySegment.ofArray(got), false), "device read through 64 mapped pages");
            assertArrayEquals(pattern, got);
            assertTrue(iommu.transfer(Iova.of(0x40000), MemorySegment.ofArray(got), true) != null,
                    "the TCEs gave read permission only: a device write faults");
        }
    }

    @Test
    @DisplayName("asking a scripted machine for its PPC CPU names what it runs")
    void scriptedMachineHasNoPpcCpu() {
        PowerHost host = PowerHost.create();
        try (PseriesMachine m = PseriesMachine.create(host.platform(), 16L << 20, false)) {
            var e = assertThrows(IllegalStateException.class, m::ppcCpu);
            assertTrue(e.getMessage().contains("ScriptedCpu"), e.getMessage());
        }
    }
}
