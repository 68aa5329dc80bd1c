package org.jvmm.kvm.soft.ppc;

import org.jvmm.address.GuestAddress;

/**
 * Why {@link PpcCpu#run(long)} returned. A soft vCPU maps these one to one onto its KVM-shaped
 * exits. After every exit the CPU is resumable by calling {@code run} again.
 */
public sealed interface PpcExit {

    /** {@code sc 1} that the fast path did not handle; {@code opcode} is r3. PC is past the sc. */
    record Hypercall(long opcode) implements PpcExit {
    }

    /**
     * A load or store outside RAM that the {@link MmioHandler} sent out. A store is done (PC is past
     * it); a load waits for {@link PpcCpu#completeMmioLoad(long)}.
     */
    record Mmio(MmioAccess access) implements PpcExit {
    }

    /** The guest executed {@code wait} (or {@code stop}); PC is past it. Run again to continue. */
    record Halted(GuestAddress pc) implements PpcExit {
    }

    /** {@link PpcCpu#requestStop()} was called (from any thread). */
    record Stopped() implements PpcExit {
    }

    /** The instruction budget given to {@code run} is used up. */
    record BudgetExhausted() implements PpcExit {
    }

    /**
     * The CPU cannot go on in a state this model does not implement (instruction fetch outside RAM,
     * MMU translation switched on). The state is left as it was at {@code pc}.
     */
    record IllegalState(GuestAddress pc, String reason) implements PpcExit {
    }

    PpcExit STOPPED = new Stopped();
    PpcExit BUDGET_EXHAUSTED = new BudgetExhausted();
}
