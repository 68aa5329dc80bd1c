package org.jvmm.bench.spapr;

import static org.jvmm.kvm.spapr.Papr.H_PUT_TCE_INDIRECT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.address.Iova;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.pci.DmaPort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Device DMA through TCE translation: the edu's DMA port reads {@code bytes} from guest RAM at an
 * IOBA mapped page by page (4 KiB TCEs, put with H_PUT_TCE_INDIRECT), against
 * {@code MemorySegment.copy} of the same bytes from the same RAM. GB/s = bytes / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TceDmaBench {
    @Param({"65536", "1048576"})
    int bytes;

    private PseriesMachine m;
    private DmaPort port;
    private Arena arena;
    private MemorySegment dst;
    private MemorySegment src;

    @Setup(Level.Trial)
    public void build() {
        m = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
        ValueLayout.OfLong be = ValueLayout.JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN);
        int pages = bytes / 4096;
        for (int done = 0; done < pages; done += 512) {
            for (int i = 0; i < 512; i++) {
                m.ram().segment().set(be, 0x4000 + i * 8L, (0x400000L + (done + i) * 0x1000L) | 3);
            }
            m.cpu().hcall(H_PUT_TCE_INDIRECT, HPutTceBench.LIOBN, 0x1000000L + done * 0x1000L, 0x4000, Math.min(512, pages - done));
            m.runUntilIdle();
        }
        port = m.platform().function("bench", PowerHost.EDU).dmaPort();
        arena = Arena.ofConfined();
        dst = arena.allocate(bytes, 4096);
        src = m.ram().segment().asSlice(0x400000, bytes);
        src.fill((byte) 0x5a);
        if (port.read(new Iova(0x1000000L), dst) != bytes) {
            throw new IllegalStateException("DMA through the TCEs faulted: " + m.platform().faults().last());
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        arena.close();
        m.close();
    }

    @Benchmark
    public long dmaThroughTce() {
        return port.read(new Iova(0x1000000L), dst);
    }

    @Benchmark
    public MemorySegment rawCopy() {
        MemorySegment.copy(src, 0, dst, 0, bytes);
        return dst;
    }
}
