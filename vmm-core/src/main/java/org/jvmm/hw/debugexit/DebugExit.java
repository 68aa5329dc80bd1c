package org.jvmm.hw.debugexit;

import java.util.function.IntConsumer;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.MmioOps;

/**
 * An exit port like QEMU's isa-debug-exit: a guest write of {@code v} ends the run with status
 * {@code (v << 1) | 1}, so a test guest can say "passed" or "failed" in an exit code. Reads
 * return all-ones.
 */
public final class DebugExit implements MmioOps {
    /** Where PC toy machines put it (QEMU's default iobase). */
    public static final int DEFAULT_PORT = 0x501;
    public static final int SIZE = 2;

    private final IntConsumer exitRequest;

    /** {@code exitRequest} receives the run's exit status; it is called on the writing vCPU's thread. */
    public DebugExit(IntConsumer exitRequest) {
        this.exitRequest = exitRequest;
    }

    /** The status a guest's write of {@code value} ends the run with. */
    public static int statusFor(long value) {
        return (int) ((value << 1) | 1);
    }

    @Override
    public AccessRules rules() {
        return AccessRules.of(1, 4, Endianness.LITTLE);
    }

    @Override
    public long read(long offset, int size) {
        return -1L;
    }

    @Override
    public void write(long offset, int size, long value) {
        exitRequest.accept(statusFor(value));
    }
}
