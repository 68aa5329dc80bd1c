package org.jvmm.memory;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The one lock that guards every memory tree and every address space's topology (QEMU's big lock,
 * for memory): adding, removing, moving, enabling regions, transactions and listener registration
 * take it; a transaction holds it from begin to commit, so its changes are atomic for every other
 * thread. Accesses never take it. Reentrant: a listener callback runs with it held.
 */
final class Topology {
    private static final ReentrantLock LOCK = new ReentrantLock();

    private Topology() {
    }

    static void lock() {
        LOCK.lock();
    }

    static void unlock() {
        LOCK.unlock();
    }

    static boolean isHeldByCurrentThread() {
        return LOCK.isHeldByCurrentThread();
    }
}
