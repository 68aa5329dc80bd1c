package org.jvmm.dispatch;

/**
 * The VMM's own handling of a vCPU exit failed: a bug in the VMM or a device model, never a guest
 * error (what a guest does wrong is answered as hardware would: all-ones, a dropped write, a PAPR
 * status, a logged guest error). The message names the exit and the region or hypercall it
 * reached; the cause is the original throwable. A machine that sees this stops: the vCPU does not
 * run again, and the run ends with this message.
 */
public final class ExitHandlingFailure extends RuntimeException {

    ExitHandlingFailure(String exit, Throwable cause) {
        super("internal error in the VMM while handling " + exit + ": " + cause, cause);
    }
}
