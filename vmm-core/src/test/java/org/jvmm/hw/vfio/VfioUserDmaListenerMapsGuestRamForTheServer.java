package org.jvmm.hw.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.RamRegion;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfiouser.VfioUserClient;
import org.jvmm.vfiouser.VfioUserServer;
import org.jvmm.vfiouser.VfioUserSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link VfioUserDmaListener} against an in-process server whose edu sits in a TYPE1 container:
 * a RAM section added to the address space is DMA_MAPped with its memfd (the edu's DMA then
 * reads and writes that RAM), its removal DMA_UNMAPs it; fd-less mapping for DMA by messages.
 */
@DisplayName("vfio-user DMA listener: guest RAM DMA_MAPped with its memfd while it is in the address space")
class VfioUserDmaListenerMapsGuestRamForTheServer {
    private static final PciAddress EDU = PciAddress.parse("0000:00:03.0");
    private static final long GPA = 0x10_0000;

    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice device;
    private VfioUserSocket serverEnd;
    private VfioUserServer server;
    private Thread thread;
    private VfioUserClient client;
    private final List<String> reports = new ArrayList<>();
    private AddressSpace as;
    private ContainerRegion root;
    private RamRegion ram;
    private final Arena arena = Arena.ofConfined();

    @BeforeEach
    void start() throws Exception {
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(64L << 20, false))
                .endpoint(EDU.toString(), new EduDevice(), HostPciPlatform.VFIO_PCI, true).build();
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(EDU));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(EDU.toString());
        VfioUserSocket[] pair = VfioUserSocket.pair(16, 1 << 21);
        serverEnd = pair[1];
        server = new VfioUserServer(device, container, serverEnd, 16, 1 << 20);
        thread = Thread.ofPlatform().name("vfio-user-server").start(server);
        client = new VfioUserClient(pair[0], reports::add);
        client.negotiate(16, 1 << 20);
        root = new ContainerRegion("root", 1L << 32);
        as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        ram = RamRegion.allocate(new HostMemoryRegistry(), "ram", 0x4000);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        serverEnd.close();
        device.close();
        group.close();
        container.close();
        ram.close();
        arena.close();
    }

    private void deviceWrite(long at, int size, long value) {
        MemorySegment b = arena.allocate(size);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        device.write(at, b);
    }

    @Test
    void ramSectionIsMappedWithItsMemfdAndTheServedEduReachesIt() {
        VfioUserDmaListener l = new VfioUserDmaListener(client, false);
        as.addListener(l);
        root.addSubregion(GPA, ram);
        assertEquals(1, l.maps());
        assertEquals(1, server.dmaRegionCount());
        assertEquals(List.of(), l.errors());

        ram.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0x100, 0x0123456789abcdefL);
        deviceWrite(7L << 40 | PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        long[][] program = {
            {EduDevice.REG_DMA_SRC, GPA + 0x100}, {EduDevice.REG_DMA_DST, EduDevice.DMA_BUFFER_START},
            {EduDevice.REG_DMA_COUNT, 8}, {EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN},
            {EduDevice.REG_DMA_SRC, EduDevice.DMA_BUFFER_START}, {EduDevice.REG_DMA_DST, GPA + 0x3000},
            {EduDevice.REG_DMA_COUNT, 8}, {EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM}};
        for (long[] w : program) {
            deviceWrite(w[0], 8, w[1]);
        }
        assertEquals(0x0123456789abcdefL, ram.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0x3000),
                "the served edu read and wrote this RAM through the memfd mapping");

        root.removeSubregion(ram);
        assertEquals(1, l.unmaps());
        assertEquals(0, server.dmaRegionCount(), "the section's removal unmapped it at the server");
        as.removeListener(l);
        assertEquals(List.of(), reports);
    }

    @Test
    void withMessagesOnlyTheRangeIsMappedWithoutAnFdAndAnsweredFromGuestRam() {
        VfioUserDmaListener l = new VfioUserDmaListener(client, true);
        root.addSubregion(GPA, ram);
        as.addListener(l); // the replay maps what is there already
        assertEquals(1, server.dmaRegionCount());
        ram.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0x10, 0xfeedf00d);
        byte[] got = new byte[4];
        assertTrue(l.read(GPA + 0x10, got));
        assertEquals(0xfeedf00d, java.nio.ByteBuffer.wrap(got).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertTrue(l.write(GPA + 0x20, new byte[] {1, 2, 3, 4}));
        assertEquals(0x04030201, ram.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0x20));
        assertFalse(l.read(GPA + 0x3ffe, new byte[4]), "a DMA past the mapped range is refused (EFAULT to the server)");
        assertFalse(l.read(GPA - 4, new byte[4]));
        as.removeListener(l); // DMA_UNMAP at close
        assertEquals(0, server.dmaRegionCount());
        assertFalse(l.read(GPA + 0x10, got), "after the unmap nothing is reachable");
    }
}
