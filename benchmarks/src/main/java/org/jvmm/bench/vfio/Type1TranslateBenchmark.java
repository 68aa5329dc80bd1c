package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.concurrent.TimeUnit;
import org.jvmm.address.Iova;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.HostIommuTlbEntry;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.IommuBackend;
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

/** TYPE1 translate (IOMMUTLBEntry for one IOVA) among 65,535 mappings, spread over the tree. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Type1TranslateBenchmark {
    private static final int LIVE = 65_535;
    private VfioBenchHost host;
    private IommuBackend iommu;
    private int next;
    private int refNext;
    private final java.util.TreeMap<Long, Object> reference = new java.util.TreeMap<>(Long::compareUnsigned);

    @Setup(Level.Trial)
    public void setUp() {
        host = new VfioBenchHost(1 << 20);
        for (int i = 0; i < LIVE; i++) {
            host.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, host.ram.address(),
                    Iova.of((long) i << 13), 4096));
            reference.put((long) i << 13, Boolean.TRUE);
        }
        iommu = host.container.backend();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        host.close();
    }

    @Benchmark
    public HostIommuTlbEntry translate() {
        int slot = next;
        next = slot + 7919 >= LIVE ? slot + 7919 - LIVE : slot + 7919;
        return iommu.translate(Iova.of(((long) slot << 13) + 0x123), AccessKind.READ);
    }

    /** Reference for the same run: a floorEntry in a plain TreeMap of the same 65,535 keys. */
    @Benchmark
    public Object referenceTreeMapFloor() {
        int slot = refNext;
        refNext = slot + 7919 >= LIVE ? slot + 7919 - LIVE : slot + 7919;
        return reference.floorEntry(((long) slot << 13) + 0x123);
    }
}
