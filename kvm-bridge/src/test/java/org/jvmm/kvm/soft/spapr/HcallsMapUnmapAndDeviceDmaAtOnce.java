package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.*;

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
import java.util.concurrent.CompletableFuture;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.iommu.FaultReason;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Stress (issue 10): a vCPU issuing H_PUT_TCE, H_STUFF_TCE and H_PUT_TCE_INDIRECT through the soft
 * accelerator's in-bridge path (a KVM table linked to the 32-bit hardware window), a control thread
 * mapping and unmapping the 64-bit window through VFIO_IOMMU_MAP_DMA/UNMAP_DMA, and two device
 * threads doing DMA reads across page boundaries of both windows, all at once.
 *
 * <p>Every word of guest RAM holds its own host address, so a DMA result shows where each byte came
 * from. Checked: each DMA either succeeded with every IOMMU page of it read whole from one page
 * at the right offset (a consistent translation), or faulted (unmapped, or a write-only TCE) with
 * not one byte moved; it never froze the PE; every hcall answered H_SUCCESS in the bridge; no
 * thread threw. Afterwards, with every TCE cleared, no TCE still counts against the pre-registered
 * RAM, it unregisters, and closing everything gives the locked-memory count back to zero.
 *
 * <p>Bounded: a few seconds by default, enough to hit the defect-3 race (an unmap between a
 * DMA's check and its copy: the old two-pass DMA threw NullPointerException here). Long run:
 * {@code -Djvmm.stress.scale=N} multiplies the operations (README, "Long fuzz and model runs").
 * No timing is asserted.
 */
@DisplayName("Stress: vCPU TCE hcalls, control-thread MAP/UNMAP and device DMA at once; DMA whole or nothing, no exception, accounting back to zero")
class HcallsMapUnmapAndDeviceDmaAtOnce {
    private static final int SCALE = Integer.getInteger("jvmm.stress.scale", 1);
    private static final long GUEST_PAGE = 0x1000;
    private static final long DDW_PAGE = 0x10000;
    private static final int VCPU_ENTRIES = 128;
    private static final int DDW_ENTRIES = 32;
    /** The H_PUT_TCE_INDIRECT list lives in the last 64 KiB of RAM, which no TCE maps. */
    private static final long LIST_GPA = SoftSpaprRig.RAM_SIZE - DDW_PAGE;
    private static final long SENTINEL = 0x5e5e_5e5e_5e5e_5e5eL;

    @Test
    void dmaIsWholeOrNothingWhileHcallsAndMapUnmapRewriteTheTables() throws Exception {
        LockedMemoryAccount memlock;
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong dmaOk = new AtomicLong();
        AtomicLong dmaFaulted = new AtomicLong();
        try (SoftSpaprRig rig = new SoftSpaprRig(true); KvmTceTable kvmTable = rig.kvmTable(); KvmVfioDevice kvmVfio = rig.vfioDevice()) {
            memlock = rig.platform.memlock();
            kvmVfio.setSpaprTce(rig.groupFd, kvmTable.fd());
            MemorySegment ram = rig.ram.segment();
            long base = rig.ram.address().value();
            for (long o = 0; o < SoftSpaprRig.RAM_SIZE; o += 8) {
                ram.set(ValueLayout.JAVA_LONG, o, base + o); // each word holds its host address
            }
            long aligned = (base + DDW_PAGE - 1) & -DDW_PAGE; // the first 64 KiB page of RAM
            long ddw = rig.ddwStart.value();
            AtomicBoolean writersDone = new AtomicBoolean();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();

            threads.add(thread("vcpu", failures, start, () -> {
                SplittableRandom r = new SplittableRandom(1);
                for (int i = 0; i < 40_000 * SCALE; i++) {
                    int k = r.nextInt(10);
                    long entry = r.nextInt(VCPU_ENTRIES);
                    String what;
                    long rc;
                    if (k < 6) {
                        long tce = r.nextInt(5) == 0 ? 0 : randomGuestPage(r) | (1 + r.nextInt(3));
                        what = "H_PUT_TCE " + entry + " 0x" + Long.toHexString(tce);
                        rc = hcall(rig, H_PUT_TCE, SoftSpaprRig.LIOBN, entry * GUEST_PAGE, tce);
                    } else if (k < 8) {
                        int n = 1 + r.nextInt((int) (VCPU_ENTRIES - entry));
                        what = "H_STUFF_TCE " + entry + "+" + n;
                        rc = hcall(rig, H_STUFF_TCE, SoftSpaprRig.LIOBN, entry * GUEST_PAGE, 0, n);
                    } else {
                        int n = 1 + r.nextInt((int) Math.min(16, VCPU_ENTRIES - entry));
                        for (int j = 0; j < n; j++) {
                            long tce = randomGuestPage(r) | (1 + r.nextInt(3));
                            ram.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), LIST_GPA + 8L * j, tce);
                        }
                        what = "H_PUT_TCE_INDIRECT " + entry + "+" + n;
                        rc = hcall(rig, H_PUT_TCE_INDIRECT, SoftSpaprRig.LIOBN, entry * GUEST_PAGE, LIST_GPA, n);
                    }
                    if (rc != H_SUCCESS) {
                        failures.add(what + " answered " + rc);
                        return;
                    }
                }
            }));
            threads.add(thread("control", failures, start, () -> {
                SplittableRandom r = new SplittableRandom(2);
                for (int i = 0; i < 15_000 * SCALE; i++) {
                    long entry = r.nextInt(DDW_ENTRIES);
                    long pages = 1 + r.nextInt((int) Math.min(4, DDW_ENTRIES - entry));
                    if (r.nextInt(3) == 0) {
                        rig.container.unmapDma(new DmaUnmap(0, Iova.of(ddw + entry * DDW_PAGE), pages * DDW_PAGE));
                    } else {
                        long room = (base + LIST_GPA - aligned) / DDW_PAGE - pages + 1;
                        long vaddr = aligned + DDW_PAGE * r.nextLong(room);
                        rig.container.mapDma(new DmaMap(1 + r.nextInt(3), new HostAddress(vaddr), Iova.of(ddw + entry * DDW_PAGE),
                                pages * DDW_PAGE));
                    }
                }
            }));
            List<Thread> writers = List.copyOf(threads);
            for (int d = 0; d < 2; d++) {
                long seed = 10 + d;
                threads.add(thread("dma" + d, failures, start, () -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment buf = arena.allocate(3 * DDW_PAGE, 8);
                        boolean last = false;
                        while (!last) {
                            last = writersDone.get(); // one more round after the writers stopped
                            boolean inDdw = r.nextBoolean();
                            long page = inDdw ? DDW_PAGE : GUEST_PAGE;
                            int entries = inDdw ? DDW_ENTRIES : VCPU_ENTRIES;
                            long iova = (inDdw ? ddw : 0) + 8L * r.nextLong((entries - 1) * page / 8);
                            long max = Math.min(3 * page, (inDdw ? ddw : 0) + entries * page - iova);
                            MemorySegment b = buf.asSlice(0, 8 * (1 + r.nextLong(max / 8)));
                            b.fill((byte) 0x5e);
                            FaultReason f = rig.iommu().transfer(Iova.of(iova), b, false);
                            String bad = f == null ? consistent(iova, b, page) : f == FaultReason.UNMAPPED || f == FaultReason.PERMISSION
                                    ? untouched(b) : "fault " + f;
                            if (bad != null) {
                                failures.add("DMA read 0x" + Long.toHexString(b.byteSize()) + " at 0x" + Long.toHexString(iova) + ": " + bad);
                                return;
                            }
                            (f == null ? dmaOk : dmaFaulted).incrementAndGet();
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread t : writers) {
                t.join();
            }
            writersDone.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertTrue(dmaOk.get() > 0 && dmaFaulted.get() > 0, "both outcomes seen: " + dmaOk + " whole, " + dmaFaulted + " faulted");
            assertEquals(0, rig.phb.pe(rig.platform.function("stress", SoftSpaprRig.EDU).iommuGroup()).freezeCount());

            assertEquals(H_SUCCESS, hcall(rig, H_STUFF_TCE, SoftSpaprRig.LIOBN, 0, 0, VCPU_ENTRIES));
            rig.container.unmapDma(new DmaUnmap(0, Iova.of(ddw), DDW_ENTRIES * DDW_PAGE));
            assertEquals(0, rig.phb.preregistered().lookup(rig.ram.address().value(), GUEST_PAGE).mappedCount(),
                    "no TCE counts against the pre-registered RAM once all are cleared");
            rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(rig.ram.address(), SoftSpaprRig.RAM_SIZE));
        }
        assertEquals(0, memlock.lockedBytes(), "locked memory after close");
    }

    private static long randomGuestPage(SplittableRandom r) {
        return GUEST_PAGE * r.nextInt((int) (LIST_GPA / GUEST_PAGE));
    }

    private static long hcall(SoftSpaprRig rig, long nr, long... args) {
        CompletableFuture<long[]> f = rig.cpu.hcall(nr, args);
        VcpuExit exit = rig.vcpu.run();
        if (!(exit instanceof VcpuExit.Halt) || !f.isDone()) {
            throw new AssertionError("hcall 0x" + Long.toHexString(nr) + " left the bridge: " + exit);
        }
        return f.join()[0];
    }

    /** Each IOMMU page of the result is one run of consecutive RAM words, at the bus address's offset in the page. */
    static String consistent(long iova, MemorySegment b, long pageSize) {
        long prev = 0;
        for (long i = 0; i < b.byteSize(); i += 8) {
            long w = b.get(ValueLayout.JAVA_LONG, i);
            long a = iova + i;
            if (w == SENTINEL) {
                return "byte " + i + " not moved";
            }
            if (Long.remainderUnsigned(w, pageSize) != Long.remainderUnsigned(a, pageSize)) {
                return "word at 0x" + Long.toHexString(a) + " came from host 0x" + Long.toHexString(w) + ", not the same offset in the page";
            }
            if (i > 0 && (a & (pageSize - 1)) != 0 && w != prev + 8) {
                return "page torn at 0x" + Long.toHexString(a) + ": host 0x" + Long.toHexString(w) + " after 0x" + Long.toHexString(prev);
            }
            prev = w;
        }
        return null;
    }

    static String untouched(MemorySegment b) {
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
