package org.jvmm.vfio.iommu;

import org.jvmm.host.kernel.HostKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.testing.DmaWhileRemapStress;
import org.jvmm.testing.SimpleFunction;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.iommu.DeviceDmaPort;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Stress (issue 10, the TYPE1 side of defect 3): a control thread mapping and unmapping 16 KiB
 * slots of a TYPE1v2 container while two device threads read through the function's
 * {@link DeviceDmaPort} across slot boundaries (adjacent mappings). Every word of RAM holds its
 * own host address. Checked: each DMA either moved every byte, each 4 KiB page of it one run of
 * consecutive words at the bus address's offset, or moved nothing and left the buffer untouched;
 * no thread threw; after the last unmap and close the locked-memory count is zero.
 *
 * <p>Bounded: a few seconds by default; {@code -Djvmm.stress.scale=N} multiplies the operations
 * (README, "Long fuzz and model runs"). No timing is asserted. The driver loop and the checks are
 * {@link DmaWhileRemapStress}'s, shared with the iommufd test.
 */
@DisplayName("Stress: TYPE1 MAP/UNMAP and device DMA through the port at once; DMA whole or nothing, no exception, accounting back to zero")
class Type1MapUnmapAndDeviceDmaAtOnce {
    private static final long SLOT = DmaWhileRemapStress.SLOT;
    private static final long RAM = 1L << 20;
    private static final String ADDRESS = "0000:00:04.0";

    @Test
    void dmaIsWholeOrNothingWhileMappingsComeAndGo() throws Exception {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        LockedMemoryAccount memlock = new LockedMemoryAccount(1L << 30, false);
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(memlock).iommuDriver(new Type1Driver(65535))
                .endpoint(ADDRESS, SimpleFunction.of(0x1234, 0x9, 0xff0000), null, true).build();
        p.newId("vfio-pci", 0x1234, 0x9);
        try (HostMapping ram = memory.allocate("ram", RAM); VfioContainer c = VfioContainer.open(p);
                VfioGroup g = VfioGroup.open(p, p.iommuGroupOf(PciAddress.parse(ADDRESS))); Arena arena = Arena.ofShared()) {
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            long base = ram.address().value();
            DmaWhileRemapStress.fillWithAddresses(ram.segment(), base);
            DmaWhileRemapStress.Outcome out;
            try (VfioDevice dev = g.getDeviceFd(ADDRESS)) {
                MemorySegment cmd = arena.allocate(2);
                cmd.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0,
                        (short) (PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER));
                dev.write((long) VFIO_PCI_CONFIG_REGION_INDEX << VFIO_PCI_OFFSET_SHIFT | 4, cmd);
                DeviceDmaPort port = p.function("stress", PciAddress.parse(ADDRESS)).dmaPort();
                DmaWhileRemapStress.DmaRead read = (iova, b) -> port.read(Iova.of(iova), b);
                out = DmaWhileRemapStress.run(base, RAM, 30_000 * DmaWhileRemapStress.SCALE, new DmaWhileRemapStress.Remapper() {
                    @Override
                    public void map(int s, long vaddr) {
                        c.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, new HostAddress(vaddr), Iova.of(s * SLOT), SLOT));
                    }

                    @Override
                    public void unmap(int s) {
                        assertEquals(SLOT, c.unmapDma(new DmaUnmap(0, Iova.of(s * SLOT), SLOT)).size());
                    }
                }, List.of(read, read), DmaWhileRemapStress.Until.CONTROL_DONE, mapped -> { });
            }
            assertEquals(List.of(), out.failures());
            assertTrue(out.whole() > 0 && out.faulted() > 0, "both outcomes seen: " + out.whole() + " whole, " + out.faulted() + " faulted");
            c.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_ALL, Iova.of(0), 0));
            assertEquals(0, memlock.lockedBytes(), "locked memory after the last unmap");
        }
        assertEquals(0, memlock.lockedBytes(), "locked memory after close");
    }
}
