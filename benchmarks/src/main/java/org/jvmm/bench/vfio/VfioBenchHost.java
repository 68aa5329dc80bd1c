package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.Type1Driver;

/**
 * A one-function host for the VFIO benchmarks: the function bound to vfio-pci, its group in a
 * TYPE1v2 container (dma_entry_limit 65536, privileged so pins are not limited), bus mastering on,
 * and {@code ramSize} bytes of process memory.
 */
final class VfioBenchHost implements AutoCloseable {
    static final PciAddress ADDRESS = PciAddress.parse("0000:00:04.0");

    final HostMemoryRegistry memory = new HostMemoryRegistry();
    final HostPciPlatform platform;
    final VfioContainer container;
    final VfioGroup group;
    final HostMapping ram;
    final HostPciFunction function;

    VfioBenchHost(long ramSize) {
        platform = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(0, true))
                .iommuDriver(new Type1Driver(65536)).endpoint(ADDRESS.toString(), new Bare(), null, true).build();
        platform.newId("vfio-pci", 0x1234, 0xbe7c);
        container = VfioContainer.open(platform);
        group = VfioGroup.open(platform, platform.iommuGroupOf(ADDRESS));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        ram = memory.allocate("bench-ram", ramSize);
        function = platform.function("bench", ADDRESS);
        function.config().write(PciRegs.COMMAND, 2, PciRegs.COMMAND_MASTER);
    }

    DmaPort dma() {
        return function.dmaPort();
    }

    @Override
    public void close() {
        group.close();
        container.close();
        ram.close();
    }

    /** A function with one BAR that does nothing: the benchmarks drive its DMA port directly. */
    private static final class Bare implements PciDeviceModel {
        public PciIdentity identity() {
            return PciIdentity.of(0x1234, 0xbe7c, 0xff0000, 0);
        }

        public List<BarSpec> bars() {
            return List.of(BarSpec.mem32(0, 4096));
        }

        public int interruptPin() {
            return 0;
        }

        public int msiVectors() {
            return 0;
        }

        public boolean isPcie() {
            return false;
        }

        public long barRead(int bar, long offset, int size) {
            return 0;
        }

        public void barWrite(int bar, long offset, int size, long value) {
        }

        public void reset() {
        }

        public void connect(DmaPort dma, InterruptSink interrupts) {
        }
    }

    static Iova iova(long v) {
        return new Iova(v);
    }

    static MemorySegment segment(HostMapping m) {
        return m.segment();
    }
}
