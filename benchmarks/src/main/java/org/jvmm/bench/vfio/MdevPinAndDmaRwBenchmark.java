package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.Iova;
import org.jvmm.devices.medu.MeduDriver;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.mdev.MdevBus;
import org.jvmm.vfio.mdev.MdevDevice;
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
 * What a vendor driver pays to reach guest memory through the mdev interface, in one run: a
 * {@link #pinUnpin} pair (vfio_pin_pages then vfio_unpin_pages of one page, charged to and
 * uncharged from RLIMIT_MEMLOCK, in a container holding only the medu mdev, so nothing is pinned
 * at MAP_DMA); {@link #dmaRwRead} and {@link #dmaRwWrite} (vfio_dma_rw of {@code size} bytes); and
 * {@link #rawCopy}, MemorySegment.copy of the same bytes between the same memory. dma_rw GB/s =
 * ops/s x size; its ratio to rawCopy is the cost of the lookup and checks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MdevPinAndDmaRwBenchmark {
    private static final String U = "0b0e0c0d-0000-4000-8000-000000000001";

    @Param({"4096", "65536"})
    public int size;

    private HostMemoryRegistry memory;
    private HostMapping ram;
    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice device;
    private MdevDevice mdev;
    private Arena arena;
    private MemorySegment buffer;
    private MemorySegment guest;
    private final Iova iova = Iova.of(0x100000 + 0x10000);

    @Setup(Level.Trial)
    public void setUp() {
        memory = new HostMemoryRegistry();
        HostPciPlatform platform = HostKernel.builder().memory(memory).build();
        Vfio vfio = Vfio.of(platform);
        MdevBus bus = MdevBus.load(vfio);
        MeduDriver.load(bus);
        bus.write("/sys/class/mdev_bus/medu/mdev_supported_types/medu-pin/create", U);
        mdev = bus.device(UUID.fromString(U).toString());
        ram = memory.allocate("bench-ram", 1 << 20);
        container = VfioContainer.open(vfio);
        group = VfioGroup.open(vfio, mdev.iommuGroupNumber());
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(U);
        container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0x100000), 1 << 20));
        arena = Arena.ofShared();
        buffer = arena.allocate(size, 64);
        guest = ram.segment().asSlice(0x10000, size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        device.close();
        group.close();
        container.close();
        arena.close();
        ram.close();
    }

    @Benchmark
    public int pinUnpin() {
        int n = mdev.pinPages(iova, 1, IommuPermission.READ_WRITE).size();
        mdev.unpinPages(iova, 1);
        return n;
    }

    @Benchmark
    public long dmaRwRead() {
        mdev.dmaRw(iova, buffer, false);
        return size;
    }

    @Benchmark
    public long dmaRwWrite() {
        mdev.dmaRw(iova, buffer, true);
        return size;
    }

    @Benchmark
    public long rawCopy() {
        MemorySegment.copy(guest, 0, buffer, 0, size);
        return size;
    }
}
