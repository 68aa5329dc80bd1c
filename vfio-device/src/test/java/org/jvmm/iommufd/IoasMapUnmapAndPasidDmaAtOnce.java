package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.address.Iova;
import org.jvmm.iommu.DeviceDmaPort;
import org.jvmm.iommufd.IommufdStructs.AttachPt;
import org.jvmm.iommufd.IommufdStructs.IoasMap;
import org.jvmm.iommufd.IommufdStructs.IoasUnmap;
import org.jvmm.testing.IommufdRig;

/**
 * Stress: a control thread maps and unmaps 16 KiB slots of an IOAS (pinning and unpinning, since
 * a PASID-capable domain exists) while two device threads read through the function's DMA port,
 * one untagged (the RID's HWPT) and one with a PASID (the same HWPT on PASID 3), across slot
 * boundaries. Every word of memory holds its own host address. Checked: each DMA moved every byte
 * (each page one run of consecutive words at the IOVA's page offset) or nothing (the buffer
 * untouched); no thread threw; the locked-memory count is zero after the last unmap. Bounded:
 * {@code -Djvmm.stress.scale=N} multiplies the operations; no timing is asserted.
 */
@DisplayName("Stress: IOAS MAP/UNMAP and RID and PASID DMA at once; DMA whole or nothing, no exception, accounting back to zero")
class IoasMapUnmapAndPasidDmaAtOnce {
    private static final int SCALE = Integer.getInteger("jvmm.stress.scale", 1);
    private static final long PAGE = 4096;
    private static final long SLOT = 4 * PAGE;
    private static final int SLOTS = 16;
    private static final long SENTINEL = 0x5e5e_5e5e_5e5e_5e5eL;

    @Test
    void dmaIsWholeOrNothingWhileAreasComeAndGo() throws Exception {
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong whole = new AtomicLong();
        AtomicLong faulted = new AtomicLong();
        try (IommufdRig rig = IommufdRig.open(1L << 30); Arena arena = Arena.ofShared()) {
            Iommufd fd = rig.iommufd;
            int ioas = fd.ioasAlloc();
            int hwpt = fd.hwptAlloc(IOMMU_HWPT_ALLOC_PASID, rig.devId, ioas);
            rig.device.attachIommufdPt(hwpt);
            rig.device.attachIommufdPt(AttachPt.pasid(hwpt, 3));
            IommufdRig.enableBusMaster(rig.device);
            long base = rig.va(0);
            long ram = rig.ram.size();
            for (long o = 0; o < ram; o += 8) {
                rig.ram.segment().set(ValueLayout.JAVA_LONG, o, base + o);
            }
            DeviceDmaPort port = rig.platform.function("stress", IommufdRig.PASID_EDU).dmaPort();
            AtomicBoolean controlDone = new AtomicBoolean();
            CountDownLatch start = new CountDownLatch(1);
            boolean[] mapped = new boolean[SLOTS];
            Thread control = thread("control", failures, start, () -> {
                SplittableRandom r = new SplittableRandom(1);
                for (int i = 0; i < 20_000 * SCALE; i++) {
                    int s = r.nextInt(SLOTS);
                    if (mapped[s]) {
                        assertEquals(SLOT, fd.ioasUnmap(IoasUnmap.of(ioas, s * SLOT, SLOT)).length());
                    } else {
                        long va = base + PAGE * r.nextLong(ram / PAGE - 3);
                        fd.ioasMap(IoasMap.of(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE, ioas, va, SLOT, s * SLOT));
                    }
                    mapped[s] = !mapped[s];
                }
                if (!mapped[0]) {
                    // leave one slot mapped, so the DMA threads' last rounds can also succeed
                    fd.ioasMap(IoasMap.of(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE, ioas, base, SLOT, 0));
                }
            });
            List<Thread> threads = new ArrayList<>(List.of(control));
            for (int d = 0; d < 2; d++) {
                long seed = 10 + d;
                int pasid = d == 0 ? org.jvmm.pci.DmaPort.NO_PASID : 3;
                threads.add(thread("dma" + d, failures, start, () -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    MemorySegment buf = arena.allocate(3 * SLOT, 8);
                    int after = 0; // rounds once the mappings stopped changing (a loaded machine may give the control thread all the time)
                    while (after < 20_000 && (after < 100 || whole.get() == 0 || faulted.get() == 0)) {
                        if (controlDone.get()) {
                            after++;
                        }
                        long iova = 8 * r.nextLong((SLOTS - 1) * SLOT / 8);
                        MemorySegment b = buf.asSlice(0, 8 * (1 + r.nextLong(Math.min(3 * SLOT, SLOTS * SLOT - iova) / 8)));
                        b.fill((byte) 0x5e);
                        long moved = port.read(pasid, new Iova(iova), b);
                        String bad = moved == b.byteSize() ? consistent(iova, b) : moved == 0 ? untouched(b) : "moved " + moved;
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
            assertEquals(List.of(), List.copyOf(failures));
            assertTrue(whole.get() > 0 && faulted.get() > 0, "both outcomes seen: " + whole + " whole, " + faulted + " faulted");
            fd.ioasUnmap(IoasUnmap.of(ioas, 0, -1L));
            assertEquals(0, rig.memlock.lockedBytes(), "locked memory after the last unmap");
        }
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
                return "word at 0x" + Long.toHexString(a) + " came from host 0x" + Long.toHexString(w);
            }
            if (i > 0 && (a & (PAGE - 1)) != 0 && w != prev + 8) {
                return "page torn at 0x" + Long.toHexString(a);
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
