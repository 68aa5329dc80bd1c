package org.jvmm.kvm.soft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scripted CPU's queue takes ops from any thread while the vCPU thread runs them: every op
 * submitted runs exactly once, each submitter's ops in the order it submitted them, and an op
 * whose submit returned before a run() is run by that run().
 */
@DisplayName("Scripted CPU: ops submitted from many threads while the vCPU runs each run once, in each submitter's order")
class ScriptedOpsFromManyThreadsRunOnceInEachSubmittersOrder {
    private static final int THREADS = 4;
    private static final int OPS = 20_000;

    @Test
    void everyOpRunsOnceAndEachThreadsStoresLandInOrder() throws Exception {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        SoftKvm kvm = new SoftKvm();
        SoftVm vm = kvm.createVm(memory);
        HostMapping ram = memory.allocate("ram", 1 << 16);
        Memslot slot = vm.mapMemory(new GuestAddress(0x10000), 1 << 16, ram.address());
        SoftVcpu vcpu = vm.createVcpu(0);
        ScriptedCpu cpu = (ScriptedCpu) vcpu.cpu();
        try {
            // each thread stores 1, 2, .. OPS to its own word, then loads it: a load completes
            // with the value of the store submitted just before it by the same thread
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            List<List<CompletableFuture<Long>>> loads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                GuestAddress word = new GuestAddress(0x10000 + 8L * t);
                List<CompletableFuture<Long>> mine = new ArrayList<>(OPS);
                loads.add(mine);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    for (int i = 1; i <= OPS; i++) {
                        cpu.store(word, 8, i);
                        mine.add(cpu.load(word, 8));
                    }
                }));
            }
            start.countDown();
            while (threads.stream().anyMatch(Thread::isAlive)) {
                assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
            }
            for (Thread th : threads) {
                th.join();
            }
            assertInstanceOf(VcpuExit.Halt.class, vcpu.run()); // every submit returned: all of them run now
            for (int t = 0; t < THREADS; t++) {
                List<CompletableFuture<Long>> mine = loads.get(t);
                assertEquals(OPS, mine.size());
                for (int i = 0; i < OPS; i++) {
                    assertEquals(i + 1, mine.get(i).getNow(-1L), "thread " + t + ", load " + i);
                }
                assertEquals(OPS, ram.segment().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 8L * t));
            }
            assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
        } finally {
            vcpu.close();
            slot.close();
            vm.close();
            kvm.close();
            ram.close();
        }
    }
}
