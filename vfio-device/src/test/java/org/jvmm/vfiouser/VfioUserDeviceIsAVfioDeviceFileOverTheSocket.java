package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceFileAccess;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.uapi.VfioUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link VfioUserDevice} against an in-process {@link VfioUserServer} serving the edu on a socket
 * pair: each VfioDeviceFile call as the vfio-pci consumer makes it, and a server lost mid-run.
 */
@DisplayName("VfioUserDevice: the VFIO device-file calls over a vfio-user socket, and a lost server")
class VfioUserDeviceIsAVfioDeviceFileOverTheSocket {
    private static final int BAR0 = 0;
    private static final int CONFIG = VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX;

    private DeviceRig rig;
    private VfioUserSocket serverEnd;
    private Thread thread;
    private VfioUserDevice dev;
    private final List<String> reports = Collections.synchronizedList(new ArrayList<>());
    private final Arena arena = Arena.ofShared();

    @BeforeEach
    void start() throws Exception {
        rig = new DeviceRig(Hosts.EDU);
        VfioUserSocket[] p = VfioUserSocket.pair(16, 1 << 20);
        serverEnd = p[1];
        thread = Thread.ofPlatform().name("vfio-user-server").start(new VfioUserServer(rig.device, serverEnd, 16, 4096));
        VfioUserClient c = new VfioUserClient(p[0], reports::add);
        c.negotiate(16, 1 << 20);
        dev = VfioUserDevice.over("vfio-user:test", c, rig.memory);
    }

    @AfterEach
    void stop() throws Exception {
        if (!dev.isClosed()) {
            dev.close();
        }
        thread.join(5000);
        serverEnd.close();
        rig.close();
        arena.close();
    }

    private long read(int region, long at, int size) {
        return DeviceFileAccess.read(dev, arena, region, at, size);
    }

    private void write(int region, long at, int size, long value) {
        DeviceFileAccess.write(dev, arena, region, at, size, value);
    }

    @Test
    void infoAndRegionsAreTheDevicesAtVfioPciOffsetsAndWithoutAnFdNotMappable() {
        assertEquals(rig.device.getInfo().numRegions(), dev.getInfo().numRegions());
        assertEquals(rig.device.getInfo().numIrqs(), dev.getInfo().numIrqs());
        RegionInfo bar0 = dev.getRegionInfo(BAR0);
        assertEquals(1 << 20, bar0.size());
        assertEquals(0L, bar0.offset());
        assertEquals(VfioUapi.VFIO_REGION_INFO_FLAG_READ | VfioUapi.VFIO_REGION_INFO_FLAG_WRITE, bar0.flags(),
                "no fd came with the reply: not mmap-able, so the consumer traps");
        assertEquals((long) CONFIG << 40, dev.getRegionInfo(CONFIG).offset());
        ErrnoException e = assertThrows(ErrnoException.class, () -> dev.mmap(0, 4096));
        assertEquals(Errno.EINVAL, e.errno());
        ErrnoException bad = assertThrows(ErrnoException.class, () -> dev.getRegionInfo(99));
        assertEquals(Errno.EINVAL, bad.errno());
    }

    @Test
    void configSpaceReadsWholeAndRegistersReadAndWrite() {
        MemorySegment cfg = arena.allocate(256);
        assertEquals(256, dev.read((long) CONFIG << 40, cfg));
        assertEquals(0x11e81234, cfg.get(ValueLayout.JAVA_INT_UNALIGNED, 0), "vendor and device of the edu");
        write(CONFIG, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        assertEquals(0x010000edL, read(BAR0, EduDevice.REG_ID, 4));
        write(BAR0, EduDevice.REG_LIVENESS, 4, 0x12345678);
        assertEquals(~0x12345678L & 0xffffffffL, read(BAR0, EduDevice.REG_LIVENESS, 4));
    }

    @Test
    void intxTriggerEventfdTravelsAndTheServedEduSignalsIt() throws Exception {
        assertEquals(1, dev.getIrqInfo(VfioUapi.VFIO_PCI_INTX_IRQ_INDEX).count());
        try (EventFd trigger = EventFd.create()) {
            dev.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                    new IrqData.EventFds(List.of(trigger))));
            write(CONFIG, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
            write(BAR0, EduDevice.REG_IRQ_RAISE, 4, 1);
            boolean rung = false;
            for (int i = 0; i < 500 && !rung; i++) {
                rung = trigger.testAndClear();
                if (!rung) {
                    Thread.sleep(10);
                }
            }
            assertTrue(rung, "the edu in the server raised INTx through the eventfd this side made");
        }
        ErrnoException e = assertThrows(ErrnoException.class, () -> dev.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER,
                99, 0, 1, IrqData.none())));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void lostServerReadsAllOnesDropsTheRestAndIsReportedOnce() throws Exception {
        write(CONFIG, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        write(BAR0, EduDevice.REG_LIVENESS, 4, 0x5a5a5a5a);
        serverEnd.shutdown();
        thread.join(5000);

        assertEquals(0xffffffffL, read(BAR0, EduDevice.REG_ID, 4));
        assertTrue(dev.serverLost());
        MemorySegment cfg = arena.allocate(64);
        dev.read((long) CONFIG << 40, cfg);
        assertEquals(-1, cfg.get(ValueLayout.JAVA_INT_UNALIGNED, 60), "a bulk read is all-ones too");
        write(BAR0, EduDevice.REG_LIVENESS, 4, 0);
        try (EventFd e = EventFd.create()) {
            dev.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
                    new IrqData.EventFds(List.of(e))));
        }
        dev.reset();
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(reports.get(0).startsWith("vfio-user server lost: "), reports.get(0));
        assertEquals(0xa5a5a5a5L, rig.read(BAR0, EduDevice.REG_LIVENESS, 4), "the device kept its state: the write was dropped");
    }

    @Test
    void closedFileIsEbadfAndClosingTwiceThrows() {
        dev.close();
        assertTrue(dev.isClosed());
        ErrnoException e = assertThrows(ErrnoException.class, () -> dev.getInfo());
        assertEquals(Errno.EBADF, e.errno());
        assertThrows(IllegalStateException.class, () -> dev.close());
        assertFalse(reports.iterator().hasNext(), "a close is no loss");
    }
}
