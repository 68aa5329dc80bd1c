package org.jvmm.bench.vfio;

import static org.jvmm.iommufd.IommufdUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.Iova;
import org.jvmm.iommu.SvaDomain;
import org.jvmm.iommufd.IommufdStructs.AttachPt;
import org.jvmm.iommufd.IommufdStructs.IoasMap;
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
 * A device DMA write then read of {@code size} bytes of the same memory, three ways: plain IOVA
 * DMA (no PASID prefix) through the RID's iommufd HWPT; PASID-tagged DMA through the same HWPT
 * attached to PASID 1 (the IOAS maps the buffer 1:1 at its virtual address); PASID-tagged DMA
 * through seed 001's SVA domain on PASID 2 (the process address space, no mapping at all).
 * GB/s = ops/s x 2 x size; the ratios PASID/plain are the figures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PasidDmaBenchmark {
    @Param({"65536"})
    public int size;

    private IommufdBenchHost host;
    private Arena arena;
    private MemorySegment deviceBuffer;
    private DmaPort dma;
    private Iova addr;

    @Setup(Level.Trial)
    public void setUp() {
        host = new IommufdBenchHost(1 << 20);
        long va = host.ram.address().value();
        int ioas = host.iommufd.ioasAlloc();
        int hwpt = host.iommufd.hwptAlloc(IOMMU_HWPT_ALLOC_PASID, host.devId, ioas);
        host.iommufd.ioasMap(IoasMap.of(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE, ioas, va,
                1 << 20, va));
        host.device.attachIommufdPt(hwpt);
        host.device.attachIommufdPt(AttachPt.pasid(hwpt, 1));
        host.function.pasids().set(2, new SvaDomain(host.memory));
        arena = Arena.ofShared();
        deviceBuffer = arena.allocate(size, 64);
        dma = host.function.dmaPort();
        addr = new Iova(va + 0x10000);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        host.close();
    }

    @Benchmark
    public long plainIova() {
        return dma.write(addr, deviceBuffer) + dma.read(addr, deviceBuffer);
    }

    @Benchmark
    public long pasidIommufd() {
        return dma.write(1, addr, deviceBuffer) + dma.read(1, addr, deviceBuffer);
    }

    @Benchmark
    public long pasidSeedSva() {
        return dma.write(2, addr, deviceBuffer) + dma.read(2, addr, deviceBuffer);
    }
}
