package org.jvmm.kvm.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.VcpuExit;

/**
 * Reads a vCPU's exit out of its struct kvm_run: a pure function of the run area's bytes, so
 * tests can feed it synthetic run areas. I/O and MMIO data are returned as slices of the run
 * area (valid until the next KVM_RUN). Stateless; thread-safe.
 */
public final class KvmRunDecoder {
    static final VcpuExit.Halt HALT = new VcpuExit.Halt();
    static final VcpuExit.Shutdown SHUTDOWN = new VcpuExit.Shutdown();
    static final VcpuExit.Interrupted INTERRUPTED = new VcpuExit.Interrupted();

    private KvmRunDecoder() {
    }

    /** The exit kvm_run describes after a KVM_RUN that returned 0 (or KVM_EXIT_INTR). */
    public static VcpuExit decode(MemorySegment run) {
        int reason = run.get(ValueLayout.JAVA_INT, KvmStructs.Run.EXIT_REASON);
        return switch (reason) {
            case KvmIoctls.KVM_EXIT_IO -> {
                int direction = run.get(ValueLayout.JAVA_BYTE, KvmStructs.Run.IO_DIRECTION);
                int size = run.get(ValueLayout.JAVA_BYTE, KvmStructs.Run.IO_SIZE) & 0xff;
                int port = run.get(ValueLayout.JAVA_SHORT_UNALIGNED, KvmStructs.Run.IO_PORT) & 0xffff;
                int count = run.get(ValueLayout.JAVA_INT_UNALIGNED, KvmStructs.Run.IO_COUNT);
                long offset = run.get(ValueLayout.JAVA_LONG_UNALIGNED, KvmStructs.Run.IO_DATA_OFFSET);
                MemorySegment data = run.asSlice(offset, (long) size * count);
                yield new VcpuExit.Io(direction == KvmIoctls.KVM_EXIT_IO_OUT ? VcpuExit.Direction.OUT
                        : VcpuExit.Direction.IN, port, size, count, data);
            }
            case KvmIoctls.KVM_EXIT_MMIO -> {
                long address = run.get(ValueLayout.JAVA_LONG_UNALIGNED, KvmStructs.Run.MMIO_PHYS_ADDR);
                int len = run.get(ValueLayout.JAVA_INT_UNALIGNED, KvmStructs.Run.MMIO_LEN);
                boolean write = run.get(ValueLayout.JAVA_BYTE, KvmStructs.Run.MMIO_IS_WRITE) != 0;
                yield new VcpuExit.Mmio(GuestAddress.of(address), len, write,
                        run.asSlice(KvmStructs.Run.MMIO_DATA, Math.min(Math.max(len, 0), 8)));
            }
            case KvmIoctls.KVM_EXIT_HLT -> HALT;
            case KvmIoctls.KVM_EXIT_SHUTDOWN -> SHUTDOWN;
            case KvmIoctls.KVM_EXIT_INTR -> INTERRUPTED;
            case KvmIoctls.KVM_EXIT_FAIL_ENTRY -> new VcpuExit.FailEntry(
                    run.get(ValueLayout.JAVA_LONG_UNALIGNED, KvmStructs.Run.FAIL_ENTRY_REASON),
                    run.get(ValueLayout.JAVA_INT_UNALIGNED, KvmStructs.Run.FAIL_ENTRY_CPU));
            case KvmIoctls.KVM_EXIT_INTERNAL_ERROR -> new VcpuExit.InternalError(
                    run.get(ValueLayout.JAVA_INT_UNALIGNED, KvmStructs.Run.INTERNAL_SUBERROR),
                    longs(run, KvmStructs.Run.INTERNAL_NDATA, KvmStructs.Run.INTERNAL_DATA));
            case KvmIoctls.KVM_EXIT_SYSTEM_EVENT -> new VcpuExit.SystemEvent(
                    run.get(ValueLayout.JAVA_INT_UNALIGNED, KvmStructs.Run.SYSTEM_EVENT_TYPE),
                    longs(run, KvmStructs.Run.SYSTEM_EVENT_NDATA, KvmStructs.Run.SYSTEM_EVENT_DATA));
            default -> new VcpuExit.Other(reason);
        };
    }

    /** ndata (capped at the 16 the struct holds) u64 values. */
    private static List<Long> longs(MemorySegment run, long countOffset, long dataOffset) {
        int n = Math.min(Math.max(run.get(ValueLayout.JAVA_INT_UNALIGNED, countOffset), 0), KvmStructs.Run.MAX_DATA);
        List<Long> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(run.get(ValueLayout.JAVA_LONG_UNALIGNED, dataOffset + 8L * i));
        }
        return values;
    }
}
