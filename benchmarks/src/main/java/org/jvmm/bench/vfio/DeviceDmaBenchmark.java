package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.Iova;
import org.jvmm.pci.DmaPort;
import org.jvmm.vfio.iommu.DmaMap;
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
 * A device DMA read and write of {@code size} bytes inside one 1 MiB TYPE1 mapping, through the
 * device's DMA port (bus-master check, domain lookup, translation, MemorySegment.copy), against
 * {@link #rawCopy}: MemorySegment.copy of the same bytes between the same memory. GB/s =
 * ops/s x size. Target: DMA at least 0.9x the raw copy at 64 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeviceDmaBenchmark {
    @Param({"65536"})
    public int size;

    private VfioBenchHost host;
    private Arena arena;
    private MemorySegment deviceBuffer;
    private MemorySegment guest;
    private DmaPort dma;
    private final Iova iova = Iova.of(0x100000 + 0x10000);

    @Setup(Level.Trial)
    public void setUp() {
        host = new VfioBenchHost(1 << 20);
        host.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, host.ram.address(),
                Iova.of(0x100000), 1 << 20));
        arena = Arena.ofShared();
        deviceBuffer = arena.allocate(size, 64);
        guest = host.ram.segment().asSlice(0x10000, size);
        dma = host.dma();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        host.close();
    }

    @Benchmark
    public long dmaRead() {
        return dma.read(iova, deviceBuffer);
    }

    @Benchmark
    public long dmaWrite() {
        return dma.write(iova, deviceBuffer);
    }

    @Benchmark
    public long rawCopy() {
        MemorySegment.copy(guest, 0, deviceBuffer, 0, size);
        return size;
    }
}
