package org.jvmm.testing;

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

/**
 * The driver the DMA-while-remap stress tests share: a control thread maps and unmaps
 * {@link #SLOT}-byte slots at random while device threads read through a DMA port across slot
 * boundaries. RAM must hold, in every word, its own host address ({@link #fillWithAddresses}).
 * Each read is checked to have moved every byte (each 4 KiB page one run of consecutive words at
 * the IOVA's page offset) or nothing (the buffer left as the sentinel); a thread that throws is a
 * failure. The caller asserts on the {@link Outcome}.
 */
public final class DmaWhileRemapStress {
    public static final long PAGE = 4096;
    public static final long SLOT = 4 * PAGE;
    public static final int SLOTS = 16;
    /** {@code -Djvmm.stress.scale=N} multiplies the control thread's operations. */
    public static final int SCALE = Integer.getInteger("jvmm.stress.scale", 1);
    private static final long SENTINEL = 0x5e5e_5e5e_5e5e_5e5eL;

    private DmaWhileRemapStress() {
    }

    /** The backend under test: map {@code slot} (at IOVA slot * SLOT) to {@code vaddr}, or unmap it. */
    public interface Remapper {
        void map(int slot, long vaddr) throws Exception;

        void unmap(int slot) throws Exception;
    }

    /** One device thread's read: the bytes moved into {@code buffer} from {@code iova}. */
    public interface DmaRead {
        long read(long iova, MemorySegment buffer);
    }

    /** When the device threads stop. */
    public enum Until {
        /** On their first round after the control thread finished. */
        CONTROL_DONE,
        /**
         * After at least 100 rounds past the control thread's end, and once both outcomes were
         * seen (at most 20,000 rounds): a loaded machine may give the control thread all the time.
         */
        BOTH_OUTCOMES_SEEN
    }

    /** What the run saw: failures (empty when every read was whole or nothing and nothing threw) and counts. */
    public record Outcome(List<String> failures, long whole, long faulted) {
    }

    /** Writes into every word of {@code ram} its own host address, {@code base + offset}. */
    public static void fillWithAddresses(MemorySegment ram, long base) {
        for (long o = 0; o < ram.byteSize(); o += 8) {
            ram.set(ValueLayout.JAVA_LONG, o, base + o);
        }
    }

    /**
     * Runs {@code ops} random map/unmap toggles (seed 1; vaddrs page-aligned in [base, base +
     * ramBytes - 3 pages)) against the readers (seeds 10, 11, ...). {@code afterControl} runs on
     * the control thread after its last toggle, with the slots still mapped.
     */
    public static Outcome run(long base, long ramBytes, int ops, Remapper remap, List<DmaRead> readers, Until until,
            java.util.function.Consumer<boolean[]> afterControl) throws InterruptedException {
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong whole = new AtomicLong();
        AtomicLong faulted = new AtomicLong();
        AtomicBoolean controlDone = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        boolean[] mapped = new boolean[SLOTS];
        try (Arena arena = Arena.ofShared()) {
            Thread control = thread("control", failures, start, () -> {
                SplittableRandom r = new SplittableRandom(1);
                for (int i = 0; i < ops; i++) {
                    int s = r.nextInt(SLOTS);
                    if (mapped[s]) {
                        remap.unmap(s);
                    } else {
                        remap.map(s, base + PAGE * r.nextLong(ramBytes / PAGE - 3));
                    }
                    mapped[s] = !mapped[s];
                }
                afterControl.accept(mapped);
            });
            List<Thread> threads = new ArrayList<>(List.of(control));
            for (int d = 0; d < readers.size(); d++) {
                long seed = 10 + d;
                DmaRead reader = readers.get(d);
                threads.add(thread("dma" + d, failures, start, () -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    MemorySegment buf = arena.allocate(3 * SLOT, 8);
                    int after = 0;
                    while (true) {
                        if (until == Until.CONTROL_DONE) {
                            if (controlDone.get()) {
                                after++;
                            }
                            if (after > 1) {
                                break;
                            }
                        } else {
                            if (!(after < 20_000 && (after < 100 || whole.get() == 0 || faulted.get() == 0))) {
                                break;
                            }
                            if (controlDone.get()) {
                                after++;
                            }
                        }
                        long iova = 8 * r.nextLong((SLOTS - 1) * SLOT / 8);
                        MemorySegment b = buf.asSlice(0, 8 * (1 + r.nextLong(Math.min(3 * SLOT, SLOTS * SLOT - iova) / 8)));
                        b.fill((byte) 0x5e);
                        long moved = reader.read(iova, b);
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
        return new Outcome(List.copyOf(failures), whole.get(), faulted.get());
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
