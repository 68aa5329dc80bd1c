package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.bytes.Bytes;

/**
 * A CPU that runs a script instead of instructions, in the spirit of QEMU's qtest: each queued
 * {@link Op} is one hypercall ({@code sc 1} with r3..r12 set) or one load or store of 1, 2, 4 or 8
 * bytes in big-endian (the pseries CPU's byte order), or a byte block (a string copy). A RAM
 * access is done in place; an access outside RAM stops the CPU as an MMIO would; a hypercall goes
 * first to the in-bridge fast path and stops the CPU only when that hands it up. Each op's result
 * (the loaded value, or the hypercall's r3.. after the call) completes its future.
 *
 * <p>Threads: {@link #submit} from any thread; {@code run}/{@code complete} on the vCPU thread,
 * which alone writes the counters (read them there, or once it stopped). The script is a
 * many-producer, one-consumer linked queue: a producer swaps itself in as the tail (one atomic
 * exchange) and then links the old tail to its node with a release store; the vCPU thread alone
 * moves the head, with plain reads and writes. An op whose {@code submit} returned is seen by the
 * next {@code run()}; one still being linked is seen by the run after.
 */
public final class ScriptedCpu implements SoftCpu {

    /** One scripted action of the CPU. */
    public sealed interface Op {
        /**
         * {@code sc 1}: r3 = nr, r4.. = the {@code argCount} arguments (at most 9), held in
         * {@code regs} (r3..r12, owned by the op); completes with r3..r12 after the call, the fast
         * path's in this same array.
         */
        record Hcall(int argCount, long[] regs, CompletableFuture<long[]> result) implements Op {
            /** The hypercall number (r3 before the call). */
            public long nr() {
                return regs[0];
            }

            /** A copy of the arguments (r4.. before the call). */
            public long[] args() {
                return java.util.Arrays.copyOfRange(regs, 1, 1 + argCount);
            }
        }

        /** A load of 1, 2, 4 or 8 bytes, big-endian; completes with the value. */
        record Load(GuestAddress address, int size, CompletableFuture<Long> result) implements Op {
        }

        /** A store of 1, 2, 4 or 8 bytes, big-endian; completes when done. */
        record Store(GuestAddress address, int size, long value, CompletableFuture<Long> result) implements Op {
        }

        /** A block read (bytes in memory order). */
        record ReadBlock(GuestAddress address, int length, CompletableFuture<byte[]> result) implements Op {
        }

        /** A block write (bytes in memory order). */
        record WriteBlock(GuestAddress address, byte[] bytes, CompletableFuture<Long> result) implements Op {
        }
    }

    private static final Stop IDLE = new Stop.Idle();
    private static final Stop KICKED = new Stop.Kicked();

    /** One link of the script; {@code next} is written once (release), read by the vCPU thread (acquire). */
    private static final class Node {
        Op op;
        Node next;

        Node(Op op) {
            this.op = op;
        }
    }

    private static final VarHandle NEXT;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NEXT = l.findVarHandle(Node.class, "next", Node.class);
            TAIL = l.findVarHandle(ScriptedCpu.class, "tail", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The last op taken (or the initial stub): the vCPU thread's alone. */
    private Node head = new Node(null);
    /** The last op queued; swapped by producers (TAIL). */
    private volatile Node tail = head;
    private Op pending;
    private final MemorySegment mmioData = MemorySegment.ofArray(new long[1]);
    private long hypercalls;
    private long fastPathHypercalls;

    /** Queues {@code op}; it runs at the vCPU's next {@code run()}. */
    public void submit(Op op) {
        Node n = new Node(op);
        Node prev = (Node) TAIL.getAndSet(this, n);
        NEXT.setRelease(prev, n);
    }

    /** The next queued op, or null; vCPU thread only. */
    private Op poll() {
        Node next = (Node) NEXT.getAcquire(head);
        if (next == null) {
            return null;
        }
        head = next; // next becomes the stub; its op is handed out once
        Op op = next.op;
        next.op = null;
        return op;
    }

    public CompletableFuture<long[]> hcall(long nr, long... args) {
        if (args.length > 9) {
            throw new IllegalArgumentException("hcall 0x" + Long.toHexString(nr) + ": " + args.length + " arguments, at most 9");
        }
        // one array for the op: the arguments now, r3..r12 of the result after a fast-path call
        long[] regs = new long[10];
        regs[0] = nr;
        System.arraycopy(args, 0, regs, 1, args.length);
        CompletableFuture<long[]> f = new CompletableFuture<>();
        submit(new Op.Hcall(args.length, regs, f));
        return f;
    }

    public CompletableFuture<Long> load(GuestAddress a, int size) {
        checkSize(size);
        CompletableFuture<Long> f = new CompletableFuture<>();
        submit(new Op.Load(a, size, f));
        return f;
    }

    public CompletableFuture<Long> store(GuestAddress a, int size, long value) {
        checkSize(size);
        CompletableFuture<Long> f = new CompletableFuture<>();
        submit(new Op.Store(a, size, value, f));
        return f;
    }

    public CompletableFuture<byte[]> readBlock(GuestAddress a, int length) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        submit(new Op.ReadBlock(a, length, f));
        return f;
    }

    public CompletableFuture<Long> writeBlock(GuestAddress a, byte[] bytes) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        submit(new Op.WriteBlock(a, bytes.clone(), f));
        return f;
    }

    private static void checkSize(int size) {
        if (!Bytes.isAccessSize(size)) {
            throw new IllegalArgumentException("access size " + size + " is not 1, 2, 4 or 8");
        }
    }

    /** Hypercalls issued, and how many of them the in-bridge fast path completed without an exit. */
    public long hypercalls() {
        return hypercalls;
    }

    public long fastPathHypercalls() {
        return fastPathHypercalls;
    }

    @Override
    public Stop run(Host host) {
        while (true) {
            if (host.kicked()) {
                return KICKED;
            }
            Op op = poll();
            if (op == null) {
                return IDLE;
            }
            if (op instanceof Op.Hcall) {
                hypercalls++;
            }
            Stop stop = execute(host, op);
            if (stop != null) {
                pending = op;
                return stop;
            }
        }
    }

    private Stop execute(Host host, Op op) {
        switch (op) {
            case Op.Hcall h -> {
                if (host.hypercall(h.regs())) {
                    fastPathHypercalls++;
                    h.result().complete(h.regs());
                    return null;
                }
                return new Stop.Hypercall(h.nr(), h.args()); // the registers as given (Host.hypercall)
            }
            case Op.Load l -> {
                MemorySegment ram = host.ram(l.address(), l.size());
                if (ram == null) {
                    return new Stop.Mmio(l.address(), l.size(), false, mmioData.asSlice(0, l.size()));
                }
                l.result().complete(get(ram, l.size()));
                return null;
            }
            case Op.Store s -> {
                MemorySegment ram = host.ram(s.address(), s.size());
                if (ram == null) {
                    MemorySegment d = mmioData.asSlice(0, s.size());
                    put(d, s.size(), s.value());
                    return new Stop.Mmio(s.address(), s.size(), true, d);
                }
                put(ram, s.size(), s.value());
                s.result().complete(0L);
                return null;
            }
            case Op.ReadBlock r -> {
                MemorySegment ram = host.ram(r.address(), r.length());
                if (ram == null) {
                    return new Stop.Mmio(r.address(), r.length(), false, MemorySegment.ofArray(new byte[r.length()]));
                }
                r.result().complete(ram.toArray(ValueLayout.JAVA_BYTE));
                return null;
            }
            case Op.WriteBlock w -> {
                MemorySegment ram = host.ram(w.address(), w.bytes().length);
                if (ram == null) {
                    return new Stop.Mmio(w.address(), w.bytes().length, true, MemorySegment.ofArray(w.bytes()));
                }
                MemorySegment.copy(w.bytes(), 0, ram, ValueLayout.JAVA_BYTE, 0, w.bytes().length);
                w.result().complete(0L);
                return null;
            }
        }
    }

    @Override
    public void complete(Stop stop, long[] hcallRegs) {
        Op op = pending;
        pending = null;
        if (op == null) {
            return;
        }
        switch (op) {
            case Op.Hcall h -> h.result().complete(hcallRegs.clone());
            case Op.Load l -> l.result().complete(get(((Stop.Mmio) stop).data(), l.size()));
            case Op.Store s -> s.result().complete(0L);
            case Op.ReadBlock r -> r.result().complete(((Stop.Mmio) stop).data().toArray(ValueLayout.JAVA_BYTE));
            case Op.WriteBlock w -> w.result().complete(0L);
        }
    }

    /** The guest is big-endian (POWER): its data bytes are in that order. */
    private static long get(MemorySegment m, int size) {
        return Bytes.load(m, 0, size, ByteOrder.BIG_ENDIAN);
    }

    private static void put(MemorySegment m, int size, long v) {
        Bytes.store(m, 0, size, v, ByteOrder.BIG_ENDIAN);
    }
}
