package org.jvmm.bench.vfio;

import static org.jvmm.iommufd.IommufdUapi.*;

import java.util.concurrent.TimeUnit;
import org.jvmm.iommufd.IommufdStructs.IoasMap;
import org.jvmm.iommufd.IommufdStructs.IoasUnmap;
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
 * One IOMMU_IOAS_MAP + IOMMU_IOAS_UNMAP pair (4 KiB, fixed IOVA, the IOAS with a paging domain so
 * the page is pinned and charged) while 65,535 other mappings are live, the pair landing between
 * them at a different place each time: the iommufd counterpart of {@link Type1MapUnmapBenchmark}
 * (same pattern, same count), for the ratio iommufd/TYPE1.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IoasMapUnmapBenchmark {
    static final int LIVE = Type1MapUnmapBenchmark.LIVE;
    private static final int FIXED_RW = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

    private IommufdBenchHost host;
    private int ioas;
    private long va;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        host = new IommufdBenchHost(1 << 20);
        ioas = host.iommufd.ioasAlloc();
        host.iommufd.hwptAlloc(0, host.devId, ioas);
        va = host.ram.address().value();
        for (int i = 0; i < LIVE; i++) {
            host.iommufd.ioasMap(IoasMap.of(FIXED_RW, ioas, va, 4096, (long) i << 13));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        host.close();
    }

    @Benchmark
    public long mapUnmapPair() {
        int slot = next;
        next = slot + 7919 >= LIVE ? slot + 7919 - LIVE : slot + 7919;
        long iova = ((long) slot << 13) | 4096;
        host.iommufd.ioasMap(IoasMap.of(FIXED_RW, ioas, va + 4096, 4096, iova));
        return host.iommufd.ioasUnmap(IoasUnmap.of(ioas, iova, 4096)).length();
    }
}
