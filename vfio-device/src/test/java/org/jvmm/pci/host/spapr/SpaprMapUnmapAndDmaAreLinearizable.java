package org.jvmm.pci.host.spapr;

import org.jvmm.host.kernel.HostKernel;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.iommu.FaultReason;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceDriver;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lincheck (stress mode): MAP_DMA and UNMAP_DMA of two 4 KiB bus pages of a sPAPR v2 container,
 * and device DMA reads of one page or of both at once through the PE, run from several threads,
 * must be linearizable: every concurrent history's results equal those of some sequential order of
 * the same operations (this class run on one thread is the sequential specification). A two-page
 * DMA therefore reads both pages from one view of the table, or faults. RAM page {@code p} holds
 * the value {@code p} in every word, so a DMA result names the pages it read.
 *
 * <p>Stress mode only: Lincheck 3.7 runs on JDK 25 here (it loads its agent dynamically, with a
 * warning), but its model-checking mode stops on the FFM VarHandles of the TCE tables ("Unsupported
 * VarHandle type"). The mixed view a two-page DMA could once read (one page before a remap, one
 * after) is checked deterministically in {@link DmaRacingATceUnmapUsesOneViewOfTheTable}.
 *
 * <p>Bounded (a few seconds); {@code -Djvmm.stress.scale=N} multiplies the iterations.
 */
@DisplayName("Lincheck: sPAPR MAP/UNMAP and one- and two-page device DMA are linearizable")
public class SpaprMapUnmapAndDmaAreLinearizable {
    private static final long PAGE = 4096;
    private static final long IOVA = 0x10000;
    private static final int RAM_PAGES = 4;
    /** A small 32-bit window (64 pages), so that the many instances stay small. */
    private static final PnvPhbConfig PHB = new PnvPhbConfig(0, 64 * PAGE, PnvPhbConfig.PGSIZES_4K_64K_16M, 2, 5, 1L << 59, true);
    private static final PciAddress EDU = PciAddress.parse("0001:01:00.0");
    /** One RAM for every instance Lincheck makes (each has its own PHB, platform and container). */
    private static final HostMemoryRegistry MEMORY = new HostMemoryRegistry();
    private static final HostMapping RAM = MEMORY.allocate("lincheck-ram", RAM_PAGES * PAGE);

    static {
        for (int p = 0; p < RAM_PAGES; p++) {
            for (long o = 0; o < PAGE; o += 8) {
                RAM.segment().set(ValueLayout.JAVA_LONG, p * PAGE + o, p);
            }
        }
    }

    private final VfioContainer container;
    private final PartitionableEndpoint pe;

    public SpaprMapUnmapAndDmaAreLinearizable() {
        PnvPhb phb = new PnvPhb(PHB, MEMORY);
        HostPciPlatform platform = HostKernel.builder().memory(MEMORY).memlock(new LockedMemoryAccount(1L << 32, false))
                .iommuDriver(new SpaprTceDriver(phb)).firstGroupNumber(1)
                .bridge("0001:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(EDU.toString(), new EduDevice(ByteOrder.BIG_ENDIAN, Runnable::run, -1L), "edu", true).build();
        platform.unbind(EDU);
        platform.newId("vfio-pci", EduDevice.VENDOR_ID, EduDevice.DEVICE_ID);
        container = VfioContainer.open(platform);
        VfioGroup group = VfioGroup.open(platform, platform.iommuGroupOf(EDU));
        group.setContainer(container);
        container.setIommu(VFIO_SPAPR_TCE_v2_IOMMU);
        container.spaprRegisterMemory(SpaprRegisterMemory.of(RAM.address(), RAM_PAGES * PAGE));
        pe = phb.pe(platform.function("lincheck", EDU).iommuGroup());
    }

    @Operation
    public String map(@Param(gen = IntGen.class, conf = "0:1") int slot, @Param(gen = IntGen.class, conf = "0:3") int ramPage) {
        try {
            container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, RAM.address().plus(ramPage * PAGE), Iova.of(IOVA + slot * PAGE), PAGE));
            return "ok";
        } catch (ErrnoException e) {
            return e.errno().toString();
        }
    }

    @Operation
    public String unmap(@Param(gen = IntGen.class, conf = "0:1") int slot) {
        try {
            container.unmapDma(new DmaUnmap(0, Iova.of(IOVA + slot * PAGE), PAGE));
            return "ok";
        } catch (ErrnoException e) {
            return e.errno().toString();
        }
    }

    /** A DMA read of both pages at once: the RAM page each came from, or the fault. */
    @Operation
    public String dmaBoth() {
        MemorySegment buf = MemorySegment.ofArray(new long[(int) (2 * PAGE / 8)]);
        FaultReason f = pe.transfer(Iova.of(IOVA), buf, false);
        return f != null ? f.toString() : buf.get(ValueLayout.JAVA_LONG, 0) + "," + buf.get(ValueLayout.JAVA_LONG, PAGE);
    }

    @Operation
    public String dmaOne(@Param(gen = IntGen.class, conf = "0:1") int slot) {
        MemorySegment buf = MemorySegment.ofArray(new long[1]);
        FaultReason f = pe.transfer(Iova.of(IOVA + slot * PAGE + 8), buf, false);
        return f != null ? f.toString() : Long.toString(buf.get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void mapUnmapAndDmaAreLinearizable() {
        new StressOptions().iterations(5 * Integer.getInteger("jvmm.stress.scale", 1)).invocationsPerIteration(200)
                .threads(3).actorsPerThread(3).check(getClass());
    }
}
