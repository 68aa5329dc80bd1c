package org.jvmm.bench.spapr;

import static org.jvmm.kvm.spapr.Papr.H_PUT_TCE_INDIRECT;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * H_PUT_TCE_INDIRECT with 512 entries (a full 4 KiB list), alternately mapping 512 pages and
 * clearing them, through the linked fast path and through the exit to the VMM (512 notifier
 * events, 512 VFIO calls), in microseconds per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HPutTceIndirectBench {
    static final long MAP_LIST = 0x4000;
    static final long CLEAR_LIST = 0x5000;
    static final ValueLayout.OfLong BE = ValueLayout.JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN);

    static void lists(HPutTceBench.Machine s) {
        for (int i = 0; i < 512; i++) {
            s.m.ram().segment().set(BE, MAP_LIST + i * 8L, (0x200000L + i * 0x1000L) | 3);
            s.m.ram().segment().set(BE, CLEAR_LIST + i * 8L, 0);
        }
    }

    public static class Linked extends HPutTceBench.Linked {
        @Setup(Level.Trial)
        public void lists() {
            HPutTceIndirectBench.lists(this);
        }
    }

    public static class Unlinked extends HPutTceBench.Unlinked {
        @Setup(Level.Trial)
        public void lists() {
            HPutTceIndirectBench.lists(this);
        }
    }

    private static long call(HPutTceBench.Machine s) {
        long list = (s.i++ & 1) == 0 ? MAP_LIST : CLEAR_LIST;
        CompletableFuture<long[]> f = s.m.cpu().hcall(H_PUT_TCE_INDIRECT, HPutTceBench.LIOBN, 0x100000, list, 512);
        s.m.runUntilIdle();
        return f.join()[0];
    }

    @Benchmark
    public long indirect512FastPath(Linked s) {
        return call(s);
    }

    @Benchmark
    public long indirect512ExitToVmm(Unlinked s) {
        return call(s);
    }
}
