package org.jvmm.dispatch;

/** What the run loop does after an exit was handled. */
public sealed interface ExitAction {

    /** Enter the guest again. */
    record Continue() implements ExitAction {
    }

    /** Stop running this vCPU, for {@code reason} (a halt without irqchip, a shutdown, an error). */
    record Stop(String reason) implements ExitAction {
    }

    ExitAction CONTINUE = new Continue();
}
