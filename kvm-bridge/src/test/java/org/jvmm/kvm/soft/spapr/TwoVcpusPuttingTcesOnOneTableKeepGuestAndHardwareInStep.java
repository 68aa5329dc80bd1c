package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.pci.host.spapr.TceTable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two vCPU threads issue H_PUT_TCE on the same few entries of one linked table at once. Each call
 * holds the table's lock (KVM's per-table lock), so afterwards every entry's guest view and
 * hardware TCE are those of one and the same call (the last one), and the pre-registered RAM
 * counts exactly the hardware TCEs that map it.
 */
@DisplayName("H_PUT_TCE from two vCPUs on one table: guest view and hardware TCE of each entry from the same call; use count exact")
class TwoVcpusPuttingTcesOnOneTableKeepGuestAndHardwareInStep {
    private static final int ENTRIES = 8;
    private static final int CALLS = 50_000;
    private static final long PAGE = 0x1000;

    @Test
    void everyEntryEndsWithOneCallsTceInBothViews() throws Exception {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable kvmTable = rig.kvmTable(); KvmVfioDevice kvmVfio = rig.vfioDevice()) {
            kvmVfio.setSpaprTce(rig.groupFd, kvmTable.fd());
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> vcpus = new ArrayList<>();
            for (int v = 0; v < 2; v++) {
                int seed = v;
                vcpus.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    for (int i = 0; i < CALLS; i++) {
                        long entry = r.nextInt(ENTRIES);
                        // vCPU v maps pages of its own: which call won shows in both views
                        long tce = r.nextInt(4) == 0 ? 0 : (PAGE * (1 + seed * 64 + r.nextInt(64))) | (1 + r.nextInt(3));
                        long rc = SpaprTceFastPath.putTce(rig.vm, SoftSpaprRig.LIOBN, entry * PAGE, tce);
                        if (rc != H_SUCCESS) {
                            failures.add("vCPU " + seed + ": H_PUT_TCE entry " + entry + " answered " + rc);
                            return;
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread t : vcpus) {
                t.join();
            }
            assertEquals(List.of(), List.copyOf(failures));
            TceTable hw = rig.hw32();
            long base = rig.ram.address().value();
            long mapped = 0;
            for (int e = 0; e < ENTRIES; e++) {
                long guest = kvmTable.get(e);
                long expected = guest == 0 ? 0 : (base + (guest & ~3L)) | (guest & 3);
                assertEquals(expected, hw.get(e), "entry " + e + ": hardware TCE for guest TCE 0x" + Long.toHexString(guest));
                mapped += guest == 0 ? 0 : 1;
            }
            assertEquals(mapped, rig.phb.preregistered().lookup(base, PAGE).mappedCount());
            assertEquals(H_SUCCESS, SpaprTceFastPath.stuffTce(rig.vm, SoftSpaprRig.LIOBN, 0, 0, ENTRIES));
            assertEquals(0, rig.phb.preregistered().lookup(base, PAGE).mappedCount());
            rig.container.spaprUnregisterMemory(org.jvmm.vfio.iommu.SpaprRegisterMemory.of(rig.ram.address(), SoftSpaprRig.RAM_SIZE));
        }
    }
}
