package org.jvmm.kvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.address.GuestAddress;

/**
 * Why {@link Vcpu#run()} returned: one record per kind of exit, so the VMM's exit handler is a
 * switch over a sealed set and tests can feed it synthetic exits.
 *
 * <p>Hypercall kinds (sPAPR's PAPR_HCALL) are added here by the backend that produces them.
 */
public sealed interface VcpuExit {

    /** Direction of a port I/O exit. */
    enum Direction {
        IN, OUT
    }

    /**
     * KVM_EXIT_IO: the guest executed IN/OUT (or a string form, {@code count} &gt; 1) on
     * {@code port}, {@code size} bytes per element. {@code data} holds size * count bytes: the
     * values written (OUT), or the buffer to fill before the next run (IN).
     */
    record Io(Direction direction, int port, int size, int count, MemorySegment data) implements VcpuExit {
        /** The first element, little endian, zero-extended. */
        public long value() {
            return readLittleEndian(data, size);
        }

        /** This exit with its data copied to the Java heap, to keep beyond the next run. */
        public Io detach() {
            return new Io(direction, port, size, count, MemorySegment.ofArray(data.toArray(ValueLayout.JAVA_BYTE)));
        }

        /** Answers an IN: writes {@code value} as the first element. */
        public void respond(long value) {
            writeLittleEndian(data, size, value);
        }

        @Override
        public String toString() {
            return "Io[" + direction + " port=0x" + Integer.toHexString(port) + " size=" + size + " count=" + count
                    + (direction == Direction.OUT ? " value=0x" + Long.toHexString(value()) : "") + "]";
        }
    }

    /**
     * KVM_EXIT_MMIO: the guest accessed {@code length} bytes at {@code address}, which no memslot
     * backs (or a read-only memslot, for a write). {@code data} holds the bytes written, or is
     * the buffer to fill for a read before the next run.
     */
    record Mmio(GuestAddress address, int length, boolean isWrite, MemorySegment data) implements VcpuExit {
        /** The value written (or set so far), little endian, zero-extended; length 1, 2, 4 or 8. */
        public long value() {
            return readLittleEndian(data, length);
        }

        /** This exit with its data copied to the Java heap, to keep beyond the next run. */
        public Mmio detach() {
            return new Mmio(address, length, isWrite, MemorySegment.ofArray(data.toArray(ValueLayout.JAVA_BYTE)));
        }

        /** Answers a read with {@code value}, little endian. */
        public void respond(long value) {
            writeLittleEndian(data, length, value);
        }

        @Override
        public String toString() {
            return "Mmio[" + (isWrite ? "write" : "read") + " " + address + " len=" + length
                    + (isWrite ? " value=0x" + Long.toHexString(value()) : "") + "]";
        }
    }

    /** KVM_EXIT_HLT: the guest halted (only without an in-kernel irqchip, which handles HLT itself). */
    record Halt() implements VcpuExit {
    }

    /** KVM_EXIT_SHUTDOWN: the guest triple-faulted (x86) or otherwise asked for a shutdown. */
    record Shutdown() implements VcpuExit {
    }

    /** KVM_EXIT_FAIL_ENTRY: the hardware refused to enter the guest; the reason is vendor specific. */
    record FailEntry(long hardwareEntryFailureReason, int cpu) implements VcpuExit {
    }

    /** KVM_EXIT_INTERNAL_ERROR: KVM could not handle something (e.g. emulation failure, suberror 1). */
    record InternalError(int suberror, List<Long> data) implements VcpuExit {
        public static final int EMULATION = 1;
        public static final int SIMUL_EX = 2;
        public static final int DELIVERY_EV = 3;
        public static final int UNEXPECTED_EXIT_REASON = 4;

        public InternalError {
            data = List.copyOf(data);
        }
    }

    /** KVM_EXIT_SYSTEM_EVENT: a platform event (shutdown 1, reset 2, crash 3 ...). */
    record SystemEvent(int type, List<Long> data) implements VcpuExit {
        public static final int SHUTDOWN = 1;
        public static final int RESET = 2;
        public static final int CRASH = 3;

        public SystemEvent {
            data = List.copyOf(data);
        }
    }

    /** KVM_RUN returned EINTR or KVM_EXIT_INTR: {@link Vcpu#kick()} (or another signal) stopped it. */
    record Interrupted() implements VcpuExit {
    }

    /**
     * KVM_EXIT_PAPR_HCALL: a sPAPR guest made hypercall {@code nr} (r3) with {@code args} (r4-r12)
     * that the in-kernel fast path did not take (an unknown LIOBN, H_TOO_HARD, or a call KVM does
     * not implement). {@code data} is ten 64-bit slots, kvm_run's papr_hcall {ret, args[9]}: the
     * status for r3 and what goes back into r4..r12, which start as the arguments (a handler
     * overwrites those it returns); answer with {@link #respond} before the next run.
     */
    record PaprHcall(long nr, List<Long> args, MemorySegment data) implements VcpuExit {
        /** Return slots: ret plus r4..r12. */
        public static final int SLOTS = 10;

        public PaprHcall {
            args = List.copyOf(args);
        }

        /** Argument {@code i} (0 is r4). */
        public long arg(int i) {
            return args.get(i);
        }

        /** Sets the status (r3) and the return values (r4 on). */
        public void respond(long status, long... returns) {
            if (returns.length > SLOTS - 1) {
                throw new IllegalArgumentException("PAPR hcall 0x" + Long.toHexString(nr) + ": " + returns.length
                        + " return values, at most " + (SLOTS - 1));
            }
            data.setAtIndex(ValueLayout.JAVA_LONG, 0, status);
            for (int i = 0; i < returns.length; i++) {
                data.setAtIndex(ValueLayout.JAVA_LONG, i + 1, returns[i]);
            }
        }

        /** The status answered so far (slot 0). */
        public long status() {
            return data.getAtIndex(ValueLayout.JAVA_LONG, 0);
        }

        /** Return value {@code i} answered so far (0 is r4). */
        public long returnValue(int i) {
            return data.getAtIndex(ValueLayout.JAVA_LONG, i + 1);
        }

        @Override
        public String toString() {
            return "PaprHcall[nr=0x" + Long.toHexString(nr) + " args=" + args.stream().map(a -> "0x" + Long.toHexString(a)).toList() + "]";
        }
    }

    /** Any other KVM exit reason, by number (KVM_EXIT_DEBUG, KVM_EXIT_IRQ_WINDOW_OPEN ...). */
    record Other(int reason) implements VcpuExit {
    }

    private static long readLittleEndian(MemorySegment data, int size) {
        long v = 0;
        int n = (int) Math.min(size, data.byteSize());
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (data.get(ValueLayout.JAVA_BYTE, i) & 0xffL);
        }
        return v;
    }

    private static void writeLittleEndian(MemorySegment data, int size, long value) {
        int n = (int) Math.min(size, data.byteSize());
        for (int i = 0; i < n; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
    }
}
