package org.jvmm.vfiouser;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A device whose DMA runs on its own thread (the edu with an engine) behind a server without
 * shared memory: its DMA_WRITE reaches the client while the client sends nothing, and the idle
 * server thread answers it against the DMA target.
 */
@DisplayName("vfio-user client: a DMA_WRITE the device sends on its own is answered while the client is idle")
class VfioUserClientAnswersDmaWhileIdle {
    private static final PciAddress EDU = PciAddress.parse("0000:01:00.0");
    private static final long IOVA = 0x20_0000;

    private ExecutorService engine;
    private EduDevice edu;
    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice device;
    private VfioUserClient client;
    private Thread thread;
    private final List<String> reports = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        engine = Executors.newSingleThreadExecutor();
        edu = new EduDevice(ByteOrder.LITTLE_ENDIAN, engine);
        VfioUserDmaModel model = new VfioUserDmaModel(edu);
        HostPciPlatform p = HostKernel.builder().memory(new HostMemoryRegistry())
                .memlock(new LockedMemoryAccount(64L << 20, false))
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(EDU.toString(), model, "edu", true).build();
        p.unbind(EDU);
        p.newId("vfio-pci", EduDevice.VENDOR_ID, EduDevice.DEVICE_ID);
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(EDU));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(EDU.toString());
        VfioUserSocket[] s = VfioUserSocket.pair(8, 1 << 20);
        thread = Thread.ofPlatform().name("vfio-user-server")
                .start(new VfioUserServer(device, container, s[1], 8, 1 << 16).dmaModel(model));
        client = new VfioUserClient(s[0], reports::add);
        client.negotiate(8, 1 << 20);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        device.close();
        group.close();
        container.close();
        engine.shutdownNow();
    }

    @Test
    void deviceThreadsDmaWriteIsAnsweredWithoutAnyCallInFlight() throws Exception {
        byte[][] landed = new byte[1][];
        CountDownLatch written = new CountDownLatch(1);
        client.dmaTarget(new VfioUserClient.DmaTarget() {
            @Override
            public boolean read(long address, byte[] into) {
                java.util.Arrays.fill(into, (byte) 0x5a);
                return address == IOVA;
            }

            @Override
            public boolean write(long address, byte[] data) {
                landed[0] = data.clone();
                written.countDown();
                return address == IOVA + 0x100;
            }
        });
        client.dmaMap(DmaMap.FLAG_READ | DmaMap.FLAG_WRITE, 0, IOVA, 0x1000, -1);
        client.regionWrite(7, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        // memory -> device (8 bytes of 0x5a), then device -> memory at IOVA + 0x100
        long[][] program = {
            {EduDevice.REG_DMA_SRC, IOVA}, {EduDevice.REG_DMA_DST, EduDevice.DMA_BUFFER_START},
            {EduDevice.REG_DMA_COUNT, 8}, {EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN}};
        for (long[] w : program) {
            client.regionWrite(0, w[0], 8, w[1]);
        }
        // no access while the engine runs: it holds the edu's lock while its DMA_READ waits, so a
        // register access would park the server's reader in the device and the answer unread
        for (int i = 0; i < 1000 && edu.dmaBytesMoved() < 8; i++) {
            Thread.sleep(5);
        }
        assertEquals(8, edu.dmaBytesMoved(), "the DMA_READ the engine sent was answered while the client was idle");
        long[][] back = {
            {EduDevice.REG_DMA_SRC, EduDevice.DMA_BUFFER_START}, {EduDevice.REG_DMA_DST, IOVA + 0x100},
            {EduDevice.REG_DMA_COUNT, 8}, {EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM}};
        for (long[] w : back) {
            client.regionWrite(0, w[0], 8, w[1]);
        }
        // the command write returned before the engine's DMA_WRITE: no call is in flight now
        // no call from here on: only the idle thread can answer the engine's DMA_WRITE
        assertTrue(written.await(10, TimeUnit.SECONDS), "the device thread's DMA_WRITE was answered while idle");
        assertArrayEquals(new byte[] {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a}, landed[0]);
        assertTrue(client.dmaMessagesServed() >= 2, "a DMA_READ and a DMA_WRITE: " + client.dmaMessagesServed());
        assertEquals(List.of(), reports);
    }
}
