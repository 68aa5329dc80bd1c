package org.jvmm.kvm.soft.ppc;

/**
 * The hook for {@code sc 1} (LEV=1) from supervisor state: the in-bridge hypercall fast path
 * (book3s_64_vio.c's role). It runs on the vCPU thread with the CPU stopped after the {@code sc}
 * (the PC already points at the next instruction). The hypercall number is r3, arguments r4 on;
 * a handled call leaves its PAPR status in r3 and return values in r4 on.
 */
@FunctionalInterface
public interface HypercallHandler {

    Outcome hypercall(PpcCpu cpu);

    enum Outcome {
        /** Done in place: the CPU continues with the next instruction. */
        HANDLED,
        /** Not handled here: the run ends with {@link PpcExit.Hypercall}; the VMM sets r3.. and runs again. */
        EXIT_TO_VMM
    }

    /** No fast path: every hypercall exits to the VMM. */
    HypercallHandler EXIT_ALWAYS = cpu -> Outcome.EXIT_TO_VMM;
}
