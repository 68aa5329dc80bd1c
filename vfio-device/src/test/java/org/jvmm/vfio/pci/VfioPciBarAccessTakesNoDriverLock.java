package org.jvmm.vfio.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_BAR0_REGION_INDEX;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.RegionMapping;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A trapped guest access to a BAR reaches the device model without waiting for the vfio-pci
 * driver's monitor (held by config writes, SET_IRQS, mmap and reset): memory decode is read from
 * the config space's published command register. The only monitor on the path is the model's own.
 */
class VfioPciBarAccessTakesNoDriverLock {

    @Test
    @DisplayName("a BAR pread and a read through a BAR mapping finish while another thread holds the driver's monitor")
    void barReadsFinishWhileTheDriversMonitorIsHeld() throws Exception {
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (DeviceRig rig = new DeviceRig(Hosts.EDU); Arena arena = Arena.ofShared()) {
            rig.setConfig(PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
            RegionMapping map = rig.device.mmap(DeviceRig.offset(VFIO_PCI_BAR0_REGION_INDEX, 0), 0x1000);
            VfioPciCore core = (VfioPciCore) rig.seed.platform().function("t", rig.device.address()).driverData();
            MemorySegment buf = arena.allocate(4);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            Thread holder = Thread.ofPlatform().start(() -> {
                synchronized (core) {
                    held.countDown();
                    try {
                        letGo.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            try {
                assertTrue(held.await(10, TimeUnit.SECONDS));
                long viaFile = reader.submit(() -> {
                    rig.device.read(DeviceRig.offset(VFIO_PCI_BAR0_REGION_INDEX, EduDevice.REG_ID), buf);
                    return Bytes.loadLe(buf, 0, 4);
                }).get(10, TimeUnit.SECONDS);
                assertEquals(EduDevice.ID_REGISTER, viaFile);
                long viaMapping = reader.submit(() -> map.read(EduDevice.REG_ID, 4)).get(10, TimeUnit.SECONDS);
                assertEquals(EduDevice.ID_REGISTER, viaMapping);
            } finally {
                letGo.countDown();
                holder.join();
            }
            map.close();
        } finally {
            reader.shutdownNow();
        }
    }
}
