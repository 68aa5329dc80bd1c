package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@link Main#main} ends a run of status 0 by returning, unless a thread that is not a daemon
 * would keep the JVM up: then it calls System.exit as before.
 */
class MainReturnsInsteadOfExitingWhenNothingElseRuns {

    @Test
    void onlyALiveThreadThatIsNotADaemonKeepsTheJvmUp() throws InterruptedException {
        Thread self = Thread.currentThread();
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = Thread.ofPlatform().daemon(false).start(() -> awaitQuietly(release));
        Thread daemon = Thread.ofPlatform().daemon(true).start(() -> awaitQuietly(release));
        Thread unstarted = Thread.ofPlatform().daemon(false).unstarted(() -> { });
        try {
            assertEquals(false, Main.anotherThreadKeepsTheJvmUp(new Thread[] {self}, self));
            assertEquals(false, Main.anotherThreadKeepsTheJvmUp(new Thread[] {self, daemon}, self));
            assertEquals(false, Main.anotherThreadKeepsTheJvmUp(new Thread[] {self, unstarted}, self));
            assertEquals(true, Main.anotherThreadKeepsTheJvmUp(new Thread[] {self, daemon, worker}, self));
            assertEquals(true, Main.anotherThreadKeepsTheJvmUp(null, self));
        } finally {
            release.countDown();
        }
        worker.join();
        assertEquals(false, Main.anotherThreadKeepsTheJvmUp(new Thread[] {self, worker}, self));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
