package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A bulk MMIO access returns its own outcome (QEMU's MemTxResult, returned by each access): an
 * access another vCPU thread makes meanwhile, refused by a device's access rules, cannot turn this
 * access's OK into ACCESS_ERROR. (The result used to be read off the shared invalid-access
 * counter, before and after, so the other thread's refusal showed up here.)
 */
class ABulkMmioAccessReturnsItsOwnResult {
    private static final long SLOW = 0x1000;
    private static final long STRICT = 0x2000;

    private final ExecutorService other = Executors.newSingleThreadExecutor();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void release() throws InterruptedException {
        other.shutdownNow();
        assertTrue(other.awaitTermination(10, TimeUnit.SECONDS));
        arena.close();
    }

    /** A device that parks its first read until the test lets it go. */
    private static final class ParkingOps implements MmioOps {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public long read(long offset, int size) {
            entered.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the parked read");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return 0x1122_3344_5566_7788L;
        }

        @Override
        public void write(long offset, int size, long value) {
            read(offset, size);
        }
    }

    private AddressSpace space(ParkingOps slow) {
        ContainerRegion root = new ContainerRegion("root", 0x10000);
        root.addSubregion(SLOW, new MmioRegion("slow", 0x100, slow));
        // accepts 4-byte accesses only: a 1-byte access is refused (counted as invalid)
        root.addSubregion(STRICT, new MmioRegion("strict", 0x100, new TestRegions.RecordingOps(
                AccessRules.of(4, 4, Endianness.LITTLE))));
        return new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    @DisplayName("a bulk MMIO read stays OK while another thread's access is refused during it")
    void aBulkReadStaysOkWhileAnotherThreadsAccessIsRefused() throws Exception {
        ParkingOps slow = new ParkingOps();
        AddressSpace as = space(slow);
        MemorySegment dst = arena.allocate(8);
        Future<MemTxResult> bulk = other.submit(() -> as.read(new GuestAddress(SLOW), dst));
        assertTrue(slow.entered.await(10, TimeUnit.SECONDS));
        long invalidBefore = as.counters().invalidAccesses.sum();
        assertEquals(0xffL, as.read(new GuestAddress(STRICT), 1), "the refused access reads all-ones");
        assertEquals(invalidBefore + 1, as.counters().invalidAccesses.sum(), "the refusal was counted");
        slow.release.countDown();
        assertEquals(MemTxResult.OK, bulk.get(10, TimeUnit.SECONDS));
        assertEquals(0x1122_3344_5566_7788L, dst.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
    }

    @Test
    @DisplayName("a bulk MMIO write stays OK while another thread's store is refused during it")
    void aBulkWriteStaysOkWhileAnotherThreadsStoreIsRefused() throws Exception {
        ParkingOps slow = new ParkingOps();
        AddressSpace as = space(slow);
        MemorySegment src = arena.allocate(8);
        Future<MemTxResult> bulk = other.submit(() -> as.write(new GuestAddress(SLOW), src));
        assertTrue(slow.entered.await(10, TimeUnit.SECONDS));
        assertEquals(MemTxResult.ACCESS_ERROR, as.store(new GuestAddress(STRICT), 1, 0x5a),
                "the other thread's own store learns it was refused");
        slow.release.countDown();
        assertEquals(MemTxResult.OK, bulk.get(10, TimeUnit.SECONDS));
    }

    @Test
    @DisplayName("a bulk MMIO read a device refuses is ACCESS_ERROR and reads all-ones")
    void aRefusedBulkReadIsAnAccessErrorOfAllOnes() {
        ParkingOps slow = new ParkingOps();
        AddressSpace as = space(slow);
        MemorySegment dst = arena.allocate(3); // pieces of 2 and 1 bytes: both refused (4-byte device)
        assertEquals(MemTxResult.ACCESS_ERROR, as.read(new GuestAddress(STRICT), dst));
        for (int i = 0; i < 3; i++) {
            assertEquals((byte) 0xff, dst.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
    }
}
