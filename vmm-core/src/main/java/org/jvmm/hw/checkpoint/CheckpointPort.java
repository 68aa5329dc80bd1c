package org.jvmm.hw.checkpoint;

import java.util.function.IntConsumer;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.MmioOps;

/**
 * A port through which a test guest hands control to the VMM at a point of its choosing: a write
 * of {@code n} runs the machine's checkpoint handler with {@code n} on the vCPU's thread, and the
 * guest resumes when it returns (a RAM region moved, a counter read ...). Reads return the number
 * of checkpoints passed so far.
 */
public final class CheckpointPort implements MmioOps {
    /** Where the x86 toy machine puts it. */
    public static final int PORT = 0x510;

    private volatile IntConsumer handler = n -> { };
    private volatile int passed;

    public void setHandler(IntConsumer handler) {
        this.handler = handler;
    }

    @Override
    public AccessRules rules() {
        return AccessRules.of(1, 4, Endianness.LITTLE);
    }

    @Override
    public long read(long offset, int size) {
        return passed;
    }

    @Override
    public void write(long offset, int size, long value) {
        passed++;
        handler.accept((int) value);
    }
}
