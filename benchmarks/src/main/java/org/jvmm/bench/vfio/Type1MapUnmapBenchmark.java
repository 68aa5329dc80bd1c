package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.concurrent.TimeUnit;
import org.jvmm.address.Iova;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
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
 * One MAP_DMA + UNMAP_DMA pair (4 KiB, TYPE1v2, through the container as a VMM calls it) while
 * 65,535 other mappings are live; the pair lands between live mappings, at a different place
 * each time. Target: at least 1,000,000 pairs per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Type1MapUnmapBenchmark {
    static final int LIVE = 65_535;
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

    private VfioBenchHost host;
    private long vaddr;
    private int next;
    private int refNext;
    private final java.util.TreeMap<Long, Object> reference = new java.util.TreeMap<>(Long::compareUnsigned);
    private static final Object VALUE = new Object();

    @Setup(Level.Trial)
    public void setUp() {
        host = new VfioBenchHost(1 << 20);
        vaddr = host.ram.address().value();
        for (int i = 0; i < LIVE; i++) {
            // live mappings on even pages; the measured pair uses the odd page after one of them
            host.container.mapDma(new DmaMap(RW, host.ram.address(), Iova.of((long) i << 13), 4096));
            reference.put((long) i << 13, VALUE);
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
        Iova iova = Iova.of(((long) slot << 13) | 4096);
        host.container.mapDma(new DmaMap(RW, host.ram.address().plus(4096), iova, 4096));
        return host.container.unmapDma(new DmaUnmap(0, iova, 4096)).size();
    }

    /**
     * Reference for the same run: a put and a remove of the same key pattern in a plain
     * {@code TreeMap<Long, ?>} holding 65,535 keys (the bare cost of a logarithmic structure,
     * without any of MAP/UNMAP's checks, pinning or accounting).
     */
    @Benchmark
    public Object referenceTreeMapPutRemove() {
        int slot = refNext;
        refNext = slot + 7919 >= LIVE ? slot + 7919 - LIVE : slot + 7919;
        long key = ((long) slot << 13) | 4096;
        reference.put(key, VALUE);
        return reference.remove(key);
    }
}
