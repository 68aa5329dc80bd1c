package org.jvmm.vfio.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Device DMA on one thread while the VMM maps and unmaps on another: every transfer is whole or nothing")
class DmaRacesWithMapAndUnmap {

    @Test
    void transfersAreAllOrNothingUnderConcurrentRemaps() throws Exception {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU); HostMapping ram = rig.memory.allocate("ram", 1 << 16)) {
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MASTER);
            ram.segment().fill((byte) 0x33);
            DmaPort port = rig.seed.platform().function("t", Hosts.EDU).dmaPort();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong whole = new AtomicLong();
            AtomicLong faulted = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread device = new Thread(() -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment buf = a.allocate(8192);
                    while (!stop.get()) {
                        buf.fill((byte) 0);
                        long n = port.read(Iova.of(0x10000), buf);
                        if (n == 8192) {
                            for (long i = 0; i < 8192; i++) {
                                if (buf.get(ValueLayout.JAVA_BYTE, i) != 0x33) {
                                    throw new AssertionError("partial data at " + i);
                                }
                            }
                            whole.incrementAndGet();
                        } else if (n == 0) {
                            for (long i = 0; i < 8192; i++) {
                                if (buf.get(ValueLayout.JAVA_BYTE, i) != 0) {
                                    throw new AssertionError("a faulted read moved data at " + i);
                                }
                            }
                            faulted.incrementAndGet();
                        } else {
                            throw new AssertionError("moved " + n + " bytes");
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            device.start();
            int rounds = 0;
            int rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
            long deadline = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < deadline || whole.get() == 0 || faulted.get() == 0) {
                rig.container.mapDma(new DmaMap(rw, ram.address(), Iova.of(0x10000), 0x1000));
                rig.container.mapDma(new DmaMap(rw, ram.address().plus(0x1000), Iova.of(0x11000), 0x1000));
                assertEquals(0x2000, rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 0x2000)).size());
                rounds++;
                if (System.nanoTime() > deadline + 5_000_000_000L) {
                    break;
                }
            }
            stop.set(true);
            device.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(rounds > 0);
            assertTrue(whole.get() + faulted.get() > 0);
            assertEquals(0, rig.memlock.lockedBytes());
        }
    }
}
