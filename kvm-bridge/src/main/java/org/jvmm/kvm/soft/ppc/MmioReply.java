package org.jvmm.kvm.soft.ppc;

/**
 * What an {@link MmioHandler} answers: the access was completed in place (with the loaded value
 * for a load), or it must go out to the VMM as an MMIO exit.
 */
public sealed interface MmioReply {

    /** Completed in place; {@code value} is the loaded value (ignored for a store). */
    record Completed(long value) implements MmioReply {
    }

    /** Not handled here: the CPU stops with {@link PpcExit.Mmio}. */
    record ExitToVmm() implements MmioReply {
    }

    MmioReply EXIT = new ExitToVmm();
    MmioReply STORED = new Completed(0);
}
