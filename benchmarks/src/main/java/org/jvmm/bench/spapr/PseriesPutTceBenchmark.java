package org.jvmm.bench.spapr;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.config.PseriesConfig;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.machine.pseries.PseriesMachine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * H_PUT_TCE calls per second from the guest loop (tce.c) on the whole pseries machine with the
 * PPC64 CPU and a vfio-pci edu on PHB 0, the architecture's flow 3 end to end:
 * <ul>
 * <li>{@code kvmTce=true}: the window's TCE table lives in the accelerator, linked to the VFIO
 * group; every call is done in the bridge (guest view + hardware TCE), no exit;</li>
 * <li>{@code kvmTce=false}: every call exits (PAPR_HCALL) to the machine's PAPR layer, which
 * writes the sPAPR IOMMU region's table, whose notifier unmaps and maps through the VFIO
 * container, then the vCPU runs again.</li>
 * </ul>
 * Unlike {@link PutTceGuestLoopBenchmark}'s exit path (a VMM that only answers), both sides here do
 * the full TCE work. Each invocation is one guest batch of {@link #CALLS} calls (ops/s = calls/s).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PseriesPutTceBenchmark {
    static final int CALLS = 4096;
    private static final long LIOBN = 0x8000_0000L;
    private static final long PARAMS = 0x100000;
    private static final long H_TEST_BATCH_DONE = 0xF003;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Param({"true", "false"})
    public boolean kvmTce;

    private PseriesMachine machine;
    private final long[] report = new long[4];
    private boolean done;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        machine = new PseriesBuilder(MemoryConfig.of(32L << 20))
                .options(new PseriesConfig(kvmTce, PseriesConfig.DEFAULT.link())).ppcCpu(true).build();
        byte[] image;
        try (InputStream in = PseriesPutTceBenchmark.class.getResourceAsStream("/ppc/tce-le.bin")) {
            if (in == null) {
                throw new IllegalStateException("/ppc/tce-le.bin is not on the class path");
            }
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MemorySegment ram = machine.ram().segment();
        MemorySegment.copy(MemorySegment.ofArray(image), 0, ram, 0, image.length);
        machine.ppcCpu().ppc().invalidateCode(new GuestAddress(0), image.length);
        machine.ppcCpu().ppc().setPc(new GuestAddress(0));
        long[] p = {LIOBN, 0, 0x1000, 0x200000 | 3, 0x1000, 256, CALLS};
        for (int i = 0; i < p.length; i++) {
            ram.set(LE_LONG, PARAMS + 8L * i, p[i]);
        }
        machine.hypercalls().register(H_TEST_BATCH_DONE, (args, rets) -> {
            System.arraycopy(args, 0, report, 0, report.length);
            done = true;
            return Papr.H_SUCCESS;
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        machine.close();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long guestBatch() {
        done = false;
        int exits = machine.runUntil(() -> done);
        if (!done || report[0] != CALLS) {
            throw new IllegalStateException("kvmTce=" + kvmTce + ": batch ended with " + report[0] + " of " + CALLS
                    + " calls succeeded (last status " + report[1] + ") after " + exits + " exits");
        }
        if (exits != (kvmTce ? 1 : CALLS + 1)) {
            throw new IllegalStateException("kvmTce=" + kvmTce + ": " + exits + " exits for one batch");
        }
        return exits;
    }
}
