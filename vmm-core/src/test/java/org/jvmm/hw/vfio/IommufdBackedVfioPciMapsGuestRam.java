package org.jvmm.hw.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommufd.Ioas;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.RamRegion;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * The VMM side of iommufd without a guest or /dev/kvm (the host-side cover of the KVM guest test
 * that runs edu-dma on an iommufd-backed vfio-pci): {@code -object iommufd} plus
 * {@code -device vfio-pci,iommufd=} open the device cdev, bind it, attach it to one IOAS, and the
 * listener keeps guest RAM mapped at IOVA = guest-physical address, so edu DMA to guest-physical
 * addresses reaches guest RAM; removing the RAM unmaps it and DMA faults.
 */
class IommufdBackedVfioPciMapsGuestRam {
    private static final PciAddress EDU = PciAddress.parse("0000:00:03.0");
    private final HostMemoryRegistry registry = new HostMemoryRegistry();
    private final HostPciPlatform platform = HostKernel.builder().memory(registry)
            .memlock(new LockedMemoryAccount(64L << 20, false))
            .endpoint(EDU.toString(), new EduDevice(), HostPciPlatform.VFIO_PCI, true).build();
    private final ContainerRegion system = new ContainerRegion("system", 1L << 32);
    private final AddressSpace memory = new AddressSpace("memory", system, ByteOrder.LITTLE_ENDIAN);
    private final RamRegion ram = RamRegion.allocate(registry, "ram", 2 << 20);
    private final VfioIommufdSpace space = new VfioIommufdSpace("iommufd0", platform, memory);

    @AfterEach
    void close() {
        space.close();
        ram.close();
    }

    private static void write(VfioDevice d, int region, long off, int size, long v) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (v >>> (8 * i)));
        }
        d.write((long) region << VfioUapi.VFIO_PCI_OFFSET_SHIFT | off, b);
    }

    private static void dma(VfioDevice d, long src, long dst, long count, long cmd) {
        write(d, 0, EduDevice.REG_DMA_SRC, 8, src);
        write(d, 0, EduDevice.REG_DMA_DST, 8, dst);
        write(d, 0, EduDevice.REG_DMA_COUNT, 8, count);
        write(d, 0, EduDevice.REG_DMA_CMD, 8, cmd);
    }

    @Test
    @DisplayName("guest RAM is mapped into the IOAS at its guest-physical address and edu DMA moves bytes there")
    void guestRamIsMappedAndDmaReachesIt() {
        memory.transaction(() -> system.addSubregion(0, ram));
        try (VfioDevice d = space.openDevice(EDU)) {
            assertTrue(d.isCdev());
            assertEquals(List.of(new Ioas.Mapping(0, 2 << 20, ram.hostAddress().value(), true, true)),
                    space.iommufd().ioas(space.ioasId()).mappings());
            assertEquals(1, space.listener().maps());
            write(d, VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX, 4, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
            ram.segment().asSlice(0x1000, 0x100).fill((byte) 0x3c);
            dma(d, 0x1000, EduDevice.DMA_BUFFER_START, 0x100, EduDevice.DMA_CMD_RUN);
            dma(d, EduDevice.DMA_BUFFER_START, 0x8000, 0x100, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
            assertEquals((byte) 0x3c, ram.segment().get(ValueLayout.JAVA_BYTE, 0x80ff));
            assertEquals(0, platform.faults().total());

            memory.transaction(() -> system.removeSubregion(ram));
            assertEquals(0, space.iommufd().ioas(space.ioasId()).mappingCount());
            dma(d, EduDevice.DMA_BUFFER_START, 0x8000, 0x10, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
            assertEquals(FaultReason.UNMAPPED, platform.faults().last().reason());
            assertTrue(space.listener().errors().isEmpty(), space.listener().errors().toString());
        }
    }

    @Test
    @DisplayName("the device is used through iommufd: its group cannot also be opened the legacy way (EBUSY)")
    void theGroupPathIsRefusedWhileTheCdevIsBound() {
        try (VfioDevice d = space.openDevice(EDU)) {
            assertNull(space.container());
            assertEquals(Errno.EBUSY, assertThrows(ErrnoException.class,
                    () -> VfioGroup.open(platform, platform.iommuGroupOf(EDU))).errno());
        }
    }
}
