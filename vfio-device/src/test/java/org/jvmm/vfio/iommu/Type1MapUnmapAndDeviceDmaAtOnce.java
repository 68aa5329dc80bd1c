package org.jvmm.vfio.iommu;

import org.jvmm.host.kernel.HostKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
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
 * (README, "Long fuzz and model runs"). No timing is asserted.
 */
@DisplayName("Stress: TYPE1 MAP/UNMAP and device DMA through the port at once; DMA whole or nothing, no exception, accounting back to zero")
class Type1MapUnmapAndDeviceDmaAtOnce {
    private static final int SCALE = Integer.getInteger("jvmm.stress.scale", 1);
    private static final long PAGE = 4096;
    private static final long SLOT = 4 * PAGE;
    private static final int SLOTS = 16;
    private static final long RAM = 1L << 20;
    private static final long SENTINEL = 0x5e5e_5e5e_5e5e_5e5eL;
    private static final String ADDRESS = "0000:00:04.0";

    @Test
    void dmaIsWholeOrNothingWhileMappingsComeAndGo() throws Exception {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        LockedMemoryAccount memlock = new LockedMemoryAccount(1L << 30, false);
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(memlock).iommuDriver(new Type1Driver(65535))
                .endpoint(ADDRESS, SimpleFunction.of(0x1234, 0x9, 0xff0000), null, true).build();
        p.newId("vfio-pci", 0x1234, 0x9);
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong whole = new AtomicLong();
        AtomicLong faulted = new AtomicLong();
        try (HostMapping ram = memory.allocate("ram", RAM); VfioContainer c = VfioContainer.open(p);
                VfioGroup g = VfioGroup.open(p, p.iommuGroupOf(PciAddress.parse(ADDRESS))); Arena arena = Arena.ofShared()) {
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            long base = ram.address().value();
            for (long o = 0; o < RAM; o += 8) {
                ram.segment().set(ValueLayout.JAVA_LONG, o, base + o);
            }
            try (VfioDevice dev = g.getDeviceFd(ADDRESS)) {
                MemorySegment cmd = arena.allocate(2);
                cmd.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0,
                        (short) (PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER));
                dev.write((long) VFIO_PCI_CONFIG_REGION_INDEX << VFIO_PCI_OFFSET_SHIFT | 4, cmd);
                DeviceDmaPort port = p.function("stress", PciAddress.parse(ADDRESS)).dmaPort();
                AtomicBoolean controlDone = new AtomicBoolean();
                CountDownLatch start = new CountDownLatch(1);
                boolean[] mapped = new boolean[SLOTS];
                Thread control = thread("control", failures, start, () -> {
                    SplittableRandom r = new SplittableRandom(1);
                    for (int i = 0; i < 30_000 * SCALE; i++) {
                        int s = r.nextInt(SLOTS);
                        if (mapped[s]) {
                            assertEquals(SLOT, c.unmapDma(new DmaUnmap(0, Iova.of(s * SLOT), SLOT)).size());
                        } else {
                            long vaddr = base + PAGE * r.nextLong(RAM / PAGE - 3);
                            c.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, new HostAddress(vaddr), Iova.of(s * SLOT), SLOT));
                        }
                        mapped[s] = !mapped[s];
                    }
                });
                List<Thread> threads = new ArrayList<>(List.of(control));
                for (int d = 0; d < 2; d++) {
                    long seed = 10 + d;
                    threads.add(thread("dma" + d, failures, start, () -> {
                        SplittableRandom r = new SplittableRandom(seed);
                        MemorySegment buf = arena.allocate(3 * SLOT, 8);
                        boolean last = false;
                        while (!last) {
                            last = controlDone.get();
                            long iova = 8 * r.nextLong((SLOTS - 1) * SLOT / 8);
                            MemorySegment b = buf.asSlice(0, 8 * (1 + r.nextLong(Math.min(3 * SLOT, SLOTS * SLOT - iova) / 8)));
                            b.fill((byte) 0x5e);
                            long moved = port.read(Iova.of(iova), b);
                            String bad = moved == b.byteSize() ? consistent(iova, b) : moved == 0 ? untouched(b) : "moved " + moved + " bytes";
                            if (bad != null) {
                                failures.add("DMA read 0x" + Long.toHexString(b.byteSize()) + " at 0x" + Long.toHexString(iova) + ": " + bad);
                                return;
                            }
                            (moved == 0 ? faulted : whole).incrementAndGet();
                        }
                    }));
                }
                threads.forEach(Thread::start);
                start.countDown();
                control.join();
                controlDone.set(true);
                for (Thread t : threads) {
                    t.join();
                }
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertTrue(whole.get() > 0 && faulted.get() > 0, "both outcomes seen: " + whole + " whole, " + faulted + " faulted");
            c.unmapDma(new DmaUnmap(VFIO_DMA_UNMAP_FLAG_ALL, Iova.of(0), 0));
            assertEquals(0, memlock.lockedBytes(), "locked memory after the last unmap");
        }
        assertEquals(0, memlock.lockedBytes(), "locked memory after close");
    }

    private static String consistent(long iova, MemorySegment b) {
        long prev = 0;
        for (long i = 0; i < b.byteSize(); i += 8) {
            long w = b.get(ValueLayout.JAVA_LONG, i);
            long a = iova + i;
            if (w == SENTINEL) {
                return "byte " + i + " not moved";
            }
            if ((w & (PAGE - 1)) != (a & (PAGE - 1))) {
                return "word at 0x" + Long.toHexString(a) + " came from host 0x" + Long.toHexString(w) + ", not the same offset in the page";
            }
            if (i > 0 && (a & (PAGE - 1)) != 0 && w != prev + 8) {
                return "page torn at 0x" + Long.toHexString(a) + ": host 0x" + Long.toHexString(w) + " after 0x" + Long.toHexString(prev);
            }
            prev = w;
        }
        return null;
    }

    private static String untouched(MemorySegment b) {
        for (long i = 0; i < b.byteSize(); i += 8) {
            if (b.get(ValueLayout.JAVA_LONG, i) != SENTINEL) {
                return "faulted but moved byte " + i;
            }
        }
        return null;
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread thread(String name, Queue<String> failures, CountDownLatch start, Body body) {
        return new Thread(() -> {
            try {
                start.await();
                body.run();
            } catch (Throwable t) {
                failures.add(name + " threw " + t);
            }
        }, name);
    }
}
