package org.jvmm.bench.vtd;

import static org.jvmm.hw.vtd.VtdRegs.FS_P;
import static org.jvmm.hw.vtd.VtdRegs.FS_RW;
import static org.jvmm.hw.vtd.VtdRegs.FS_US;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.hw.vfio.VfioIommufdSpace;
import org.jvmm.hw.vtd.VtdGuest;
import org.jvmm.hw.vtd.VtdIommufdBackend;
import org.jvmm.memory.RamRegion;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioDevice;
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
 * The cost of nested translation per DMA page (issue 15): one 4 KiB device write, four ways, on a
 * host edu behind the virtual VT-d with {@code pasid-api=iommufd}.
 * <ul>
 * <li>{@code plainIova}: no PASID, the RID's stage 2 only (guest-physical address -> host).</li>
 * <li>{@code nestedWarm}: PASID 5 at a guest virtual address, the translation in the nested HWPT's IOTLB.</li>
 * <li>{@code nestedCold}: the same after dropping the page from the IOTLB each time (HWPT_INVALIDATE
 * of one page, as the guest's PASID-IOTLB invalidation is forwarded): a 4-level stage-1 walk whose
 * every table read goes through stage 2. {@code invalidateOnly} is that invalidation alone, to subtract.</li>
 * <li>{@code emulatedWarm}/{@code emulatedCold}: the virtual IOMMU's own walk and IOTLB (the emulated-device path).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class VtdNestedTranslationBenchmark {
    private static final PciAddress EDU = PciAddress.parse("0000:00:03.0");
    private static final long GVA = 0x0000_7f12_3450_0000L;
    private static final long GPA = 0x10_0000;

    private HostMemoryRegistry registry;
    private VtdGuest guest;
    private VfioIommufdSpace space;
    private VfioDevice device;
    private VtdIommufdBackend backend;
    private DmaPort dma;
    private Arena arena;
    private MemorySegment page;

    @Setup(Level.Trial)
    public void setUp() {
        registry = new HostMemoryRegistry();
        HostPciPlatform platform = HostKernel.builder().memory(registry).memlock(new LockedMemoryAccount(0, true))
                .endpoint(EDU.toString(), EduDevice.withPasid(), HostPciPlatform.VFIO_PCI, true).build();
        guest = new VtdGuest(RamRegion.allocate(registry, "ram", 4 << 20));
        space = new VfioIommufdSpace("iommufd0", platform, guest.memory);
        device = space.openDevice(EDU);
        backend = new VtdIommufdBackend(space.iommufd(), device, space.ioasId(), VtdGuest.SID, guest.iommu);
        guest.iommu.attachBackend(VtdGuest.SID, backend);
        platform.function("bench", EDU).config().write(PciRegs.COMMAND, 2, PciRegs.COMMAND_MASTER);
        guest.enable(false);
        long pml4 = guest.newTable();
        guest.map(pml4, GVA, GPA, FS_P | FS_RW | FS_US);
        guest.pasidEntry(5, 7, pml4, false);
        guest.pasidCacheInvalidate(7, 5);
        dma = platform.function("bench", EDU).dmaPort();
        arena = Arena.ofShared();
        page = arena.allocate(4096, 64);
        if (dma.write(5, new Iova(GVA), page) != 4096 || dma.write(new Iova(GPA), page) != 4096) {
            throw new IllegalStateException("VtdNestedTranslationBenchmark: the set-up DMA failed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        backend.close();
        device.close();
        space.close();
        guest.close();
    }

    @Benchmark
    public long plainIova() {
        return dma.write(new Iova(GPA), page);
    }

    @Benchmark
    public long nestedWarm() {
        return dma.write(5, new Iova(GVA), page);
    }

    @Benchmark
    public long nestedCold() {
        backend.invalidate(5, GVA, 1, true);
        return dma.write(5, new Iova(GVA), page);
    }

    @Benchmark
    public void invalidateOnly() {
        backend.invalidate(5, GVA, 1, true);
    }

    @Benchmark
    public boolean emulatedWarm() {
        return guest.iommu.dma(VtdGuest.SID, 5, GVA, page, true);
    }

    @Benchmark
    public boolean emulatedCold() {
        guest.piotlbPage(7, 5, GVA, 0, false);
        return guest.iommu.dma(VtdGuest.SID, 5, GVA, page, true);
    }
}
