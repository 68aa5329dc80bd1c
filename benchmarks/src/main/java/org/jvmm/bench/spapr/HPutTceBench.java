package org.jvmm.bench.spapr;

import static org.jvmm.kvm.spapr.Papr.H_PUT_TCE;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.config.PseriesConfig;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.kvm.soft.spapr.SpaprTceFastPath;
import org.jvmm.machine.pseries.PseriesMachine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * H_PUT_TCE on the pseries machine with an edu behind VFIO, both paths in one run: each call maps
 * or clears (alternately) one 4 KiB entry of the 32-bit window, so the host's hardware table
 * changes on every call.
 * <ul>
 * <li>{@code fastPathHandler}: the in-bridge handler alone (book3s_64_vio.c's role; compare KVM's
 *     ~120 ns real-mode figure);</li>
 * <li>{@code fastPathVcpu}: the scripted vCPU issues the call and runs; the bridge completes it with
 *     no exit (target: 150 ns or less);</li>
 * <li>{@code exitToVmm}: no KVM table, so the call exits (PAPR_HCALL) to the VMM: dispatch, the PAPR
 *     layer, the TCE table's IOMMU notifier, VFIO MAP_DMA/UNMAP_DMA, and back into the vCPU.</li>
 * <li>{@code scriptedLoad}: the reference for {@code fastPathVcpu}: the same scripted-vCPU round trip
 *     (queue, future, run until idle) with an 8-byte RAM load in place of the hypercall, so
 *     fastPathVcpu - scriptedLoad is what the hypercall adds (dispatch in the bridge and the handler).</li>
 * </ul>
 * Ratio = exitToVmm / fastPathVcpu.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HPutTceBench {
    static final long LIOBN = 0x8000_0000L;

    /** A machine with (kvmTce) or without the KVM table linked. */
    public abstract static class Machine {
        PseriesMachine m;
        long i;

        abstract boolean kvmTce();

        @Setup(Level.Trial)
        public void build() {
            m = new PseriesBuilder(MemoryConfig.of(64L << 20))
                    .options(new PseriesConfig(kvmTce(), PseriesConfig.DEFAULT.link())).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            m.close();
        }

        long nextTce() {
            long n = i++;
            return (n & 1) == 0 ? (0x100000L + ((n >>> 1) & 0xff) * 0x1000) | 3 : 0;
        }

        long nextIoba() {
            return 0x10000 + (((i >>> 1) & 0xff) << 12);
        }
    }

    @State(Scope.Thread)
    public static class Linked extends Machine {
        @Override
        boolean kvmTce() {
            return true;
        }
    }

    @State(Scope.Thread)
    public static class Unlinked extends Machine {
        @Override
        boolean kvmTce() {
            return false;
        }
    }

    @Benchmark
    public long fastPathHandler(Linked s) {
        long ioba = s.nextIoba();
        return SpaprTceFastPath.putTce(s.m.vm(), LIOBN, ioba, s.nextTce());
    }

    @Benchmark
    public long fastPathVcpu(Linked s) {
        long ioba = s.nextIoba();
        CompletableFuture<long[]> f = s.m.cpu().hcall(H_PUT_TCE, LIOBN, ioba, s.nextTce());
        s.m.runUntilIdle();
        return f.join()[0];
    }

    private static final org.jvmm.address.GuestAddress RAM_WORD = new org.jvmm.address.GuestAddress(0x100000);

    @Benchmark
    public long scriptedLoad(Linked s) {
        CompletableFuture<Long> f = s.m.cpu().load(RAM_WORD, 8);
        s.m.runUntilIdle();
        return f.join();
    }

    @Benchmark
    public long exitToVmm(Unlinked s) {
        long ioba = s.nextIoba();
        CompletableFuture<long[]> f = s.m.cpu().hcall(H_PUT_TCE, LIOBN, ioba, s.nextTce());
        s.m.runUntilIdle();
        return f.join()[0];
    }
}
