package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceFileAccess;
import org.jvmm.vfio.uapi.VfioUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Posted writes: a trapped BAR write goes as REGION_WRITE with no-reply and returns without
 * waiting for the server, as QEMU's vfio-user client posts BAR writes (hw/vfio-user/device.c);
 * config space writes still wait. A later read sees the write, since the server serves commands
 * in order. The served edu's engine blocks on a latch, so a write the client waited for could
 * not return while the latch is closed.
 */
@DisplayName("VfioUserDevice posts BAR writes (no reply asked) and a later read still sees them")
class VfioUserDevicePostsBarWrites {
    private static final int BAR0 = 0;
    private static final int CONFIG = VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX;

    private final CountDownLatch engineGate = new CountDownLatch(1);
    private final List<String> reports = Collections.synchronizedList(new ArrayList<>());
    private final Arena arena = Arena.ofShared();
    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private ServedHostRig host;
    private VfioUserSocket serverEnd;
    private Thread thread;
    private VfioUserDevice dev;

    @BeforeEach
    void start() throws Exception {
        Executor gated = r -> {
            try {
                engineGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            r.run();
        };
        host = new ServedHostRig(memory, new EduDevice(ByteOrder.LITTLE_ENDIAN, gated));
        VfioUserSocket[] p = VfioUserSocket.pair(16, 1 << 20);
        serverEnd = p[1];
        thread = Thread.ofPlatform().name("vfio-user-server").start(new VfioUserServer(host.device, serverEnd, 16, 4096));
        VfioUserClient c = new VfioUserClient(p[0], reports::add);
        c.negotiate(16, 1 << 20);
        dev = VfioUserDevice.over("vfio-user:test", c, memory);
    }

    @AfterEach
    void stop() throws Exception {
        engineGate.countDown();
        dev.close();
        thread.join(5000);
        serverEnd.close();
        host.close();
        arena.close();
    }

    private long read(int region, long at, int size) {
        return DeviceFileAccess.read(dev, arena, region, at, size);
    }

    private void write(int region, long at, int size, long value) {
        DeviceFileAccess.write(dev, arena, region, at, size, value);
    }

    @Test
    void barWriteReturnsWhileTheServerIsStillInsideItAndALaterReadSeesIt() {
        write(CONFIG, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        assertEquals(0, dev.client().postedWrites(), "a config space write waits for its reply");
        // the served edu's factorial start runs its engine on the server's command thread, which
        // waits on the closed latch: only a write that does not wait for the reply returns
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> write(BAR0, EduDevice.REG_FACTORIAL, 4, 5));
        assertEquals(1, dev.client().postedWrites());
        engineGate.countDown();
        assertEquals(120, read(BAR0, EduDevice.REG_FACTORIAL, 4), "the read after the posted write sees 5!");
        assertTrue(reports.isEmpty(), reports.toString());
    }

    @Test
    void postedWritesOffWaitsForEveryWrite() {
        engineGate.countDown();
        dev.postedWrites(false);
        write(CONFIG, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        write(BAR0, EduDevice.REG_LIVENESS, 4, 0x12345678);
        assertEquals(0, dev.client().postedWrites());
        assertEquals(~0x12345678L & 0xffffffffL, read(BAR0, EduDevice.REG_LIVENESS, 4));
    }

    @Test
    void postedWriteToAGoneServerIsDroppedAndTheLossReportedOnce() throws Exception {
        engineGate.countDown();
        write(CONFIG, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        serverEnd.close();
        thread.join(5000);
        write(BAR0, EduDevice.REG_LIVENESS, 4, 1);
        write(BAR0, EduDevice.REG_LIVENESS, 4, 2);
        assertEquals(0xffffffffL, read(BAR0, EduDevice.REG_LIVENESS, 4), "a removed device reads all-ones");
        assertEquals(1, reports.size(), reports.toString());
    }
}
