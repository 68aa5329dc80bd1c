package org.jvmm.vfio.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.devices.edu.EduDevice.*;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.sys.EventFd;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.HostIommuTlbEntry;
import org.jvmm.iommu.IommuFault;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.IommuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Device DMA: edu moves bytes through TYPE1; unmapped, read-only, partial and blocked accesses fault and move nothing")
class DeviceDmaThroughType1 {
    private static final int R = VFIO_DMA_MAP_FLAG_READ;
    private static final int RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    private DeviceRig rig;
    private HostMapping ram;
    private EventFd msi;

    @BeforeEach
    void open() {
        rig = new DeviceRig(Hosts.EDU);
        ram = rig.memory.allocate("guest-ram", 1 << 20);
        rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        msi = rig.eventfd();
        rig.device.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.eventfds(msi)));
    }

    @AfterEach
    void close() {
        rig.close();
        ram.close();
    }

    private MemorySegment mem() {
        return ram.segment();
    }

    private void dma(long src, long dst, long count, int cmd) {
        rig.write(0, REG_DMA_SRC, 8, src);
        rig.write(0, REG_DMA_DST, 8, dst);
        rig.write(0, REG_DMA_COUNT, 8, count);
        rig.write(0, REG_DMA_CMD, 8, cmd);
    }

    private byte[] bytes(long at, int n) {
        return mem().asSlice(at, n).toArray(ValueLayout.JAVA_BYTE);
    }

    private List<IommuFault> faults() {
        return rig.seed.platform().faults().faults();
    }

    @Test
    void eduRoundTripsBytesThroughType1MappingsAndRaisesMsi() {
        rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 1 << 20));
        byte[] pattern = new byte[256];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 7 + 3);
        }
        MemorySegment.copy(pattern, 0, mem(), ValueLayout.JAVA_BYTE, 0x2000, pattern.length);
        dma(0x102000, DMA_BUFFER_START + 0x100, 256, DMA_CMD_RUN | DMA_CMD_IRQ); // RAM -> edu
        assertEquals(1, msi.readCount());
        assertEquals(DMA_IRQ, rig.read(0, REG_IRQ_STATUS, 4));
        assertEquals(0, rig.read(0, REG_DMA_CMD, 8) & DMA_CMD_RUN);
        byte[] buf = new byte[256];
        System.arraycopy(rig.seed.edu().bufferSnapshot(), 0x100, buf, 0, 256);
        assertArrayEquals(pattern, buf);
        rig.write(0, REG_IRQ_ACK, 4, DMA_IRQ);
        dma(DMA_BUFFER_START + 0x100, 0x105000, 256, DMA_CMD_RUN | DMA_CMD_TO_RAM | DMA_CMD_IRQ); // edu -> RAM
        assertEquals(1, msi.readCount());
        assertArrayEquals(pattern, bytes(0x5000, 256));
        assertEquals(512, rig.seed.edu().dmaBytesMoved());
        assertEquals(List.of(), faults());
    }

    @Test
    void dmaToAnUnmappedIovaFaultsWithZeroBytes() {
        rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x10000));
        dma(DMA_BUFFER_START, 0x900000, 128, DMA_CMD_RUN | DMA_CMD_TO_RAM);
        assertEquals(List.of(new IommuFault(Hosts.EDU, Iova.of(0x900000), 128, AccessKind.WRITE, FaultReason.UNMAPPED)), faults());
        assertEquals(0, rig.seed.edu().dmaBytesMoved());
        assertEquals(List.of(faults().get(0)), rig.container.faults());
    }

    @Test
    void aWriteThroughAReadOnlyMappingFaultsAndMemoryStaysAsItWas() {
        rig.container.mapDma(new DmaMap(R, ram.address(), Iova.of(0x200000), 0x1000));
        mem().asSlice(0, 0x1000).fill((byte) 0x5a);
        rig.write(0, REG_LIVENESS, 4, 0); // the buffer is zero after the open-time reset
        dma(DMA_BUFFER_START, 0x200000, 64, DMA_CMD_RUN | DMA_CMD_TO_RAM);
        assertEquals(List.of(new IommuFault(Hosts.EDU, Iova.of(0x200000), 64, AccessKind.WRITE, FaultReason.PERMISSION)), faults());
        for (byte b : bytes(0, 0x1000)) {
            assertEquals(0x5a, b);
        }
        // reading through it works
        dma(0x200000, DMA_BUFFER_START, 64, DMA_CMD_RUN);
        assertEquals(0x5a, rig.seed.edu().bufferSnapshot()[63]);
        assertEquals(1, faults().size());
    }

    @Test
    void aTransferPartlyOutsideItsMappingMovesNothing() {
        rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x1000));
        dma(DMA_BUFFER_START, 0x100800, 0x1000, DMA_CMD_RUN | DMA_CMD_TO_RAM);
        assertEquals(FaultReason.UNMAPPED, faults().get(0).reason());
        assertEquals(0x1000, faults().get(0).size());
        mem().asSlice(0, 0x1000).fill((byte) 1);
        dma(DMA_BUFFER_START, 0x100800, 0x1000, DMA_CMD_RUN | DMA_CMD_TO_RAM);
        for (byte b : bytes(0, 0x1000)) {
            assertEquals(1, b);
        }
    }

    @Test
    void aTransferAcrossAdjacentMappingsGoesThroughBoth() {
        rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x1000));
        rig.container.mapDma(new DmaMap(RW, ram.address().plus(0x8000), Iova.of(0x101000), 0x1000));
        mem().asSlice(0, 0x1000).fill((byte) 7);
        mem().asSlice(0x8000, 0x1000).fill((byte) 9);
        dma(0x100c00, DMA_BUFFER_START, 0x800, DMA_CMD_RUN);
        byte[] b = rig.seed.edu().bufferSnapshot();
        assertEquals(7, b[0]);
        assertEquals(7, b[0x3ff]);
        assertEquals(9, b[0x400]);
        assertEquals(9, b[0x7ff]);
        assertEquals(List.of(), faults());
    }

    @Test
    void busMasterOffOrNoDomainBlocksDma() {
        rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x1000));
        rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY);
        dma(0x100000, DMA_BUFFER_START, 16, DMA_CMD_RUN);
        assertEquals(FaultReason.BUS_MASTER_DISABLED, faults().get(0).reason());
        // a function whose group no VFIO container owns: its DMA is blocked
        var host = rig.seed.platform().function("t", Hosts.MSIX_DEV);
        host.config().write(0x04, 2, PciRegs.COMMAND_MASTER);
        try (Arena a = Arena.ofConfined()) {
            assertEquals(0, host.dmaPort().read(Iova.of(0x100000), a.allocate(16)));
        }
        assertEquals(new IommuFault(Hosts.MSIX_DEV, Iova.of(0x100000), 16, AccessKind.READ, FaultReason.BLOCKED), faults().get(1));
    }

    @Test
    void translateReturnsThePageItsHostAddressAndPermission() {
        rig.container.mapDma(new DmaMap(R, ram.address(), Iova.of(0x100000), 0x4000));
        IommuBackend b = rig.container.backend();
        HostIommuTlbEntry e = b.translate(Iova.of(0x102abc), AccessKind.READ);
        assertEquals(new HostIommuTlbEntry(Iova.of(0x102000), new HostAddress(ram.address().value() + 0x2000), 0xfff,
                IommuPermission.READ), e);
        assertEquals(IommuPermission.NONE, b.translate(Iova.of(0x102abc), AccessKind.WRITE).perm());
        assertEquals(HostIommuTlbEntry.miss(Iova.of(0x200000), 0xfff), b.translate(Iova.of(0x200000), AccessKind.READ));
    }

    @Test
    void dmaAfterUnmapFaults() {
        rig.container.mapDma(new DmaMap(RW, ram.address(), Iova.of(0x100000), 0x1000));
        rig.container.unmapDma(new org.jvmm.vfio.iommu.DmaUnmap(0, Iova.of(0x100000), 0x1000));
        dma(0x100000, DMA_BUFFER_START, 16, DMA_CMD_RUN);
        assertEquals(FaultReason.UNMAPPED, faults().get(0).reason());
    }
}
