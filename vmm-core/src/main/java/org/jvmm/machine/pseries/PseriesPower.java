package org.jvmm.machine.pseries;

import org.jvmm.papr.SystemRtasCalls;

/**
 * What the guest asked of the pseries machine through RTAS: power-off (QEMU exits with status 0),
 * system-reboot (QEMU resets the machine and goes on), ibm,os-term (QEMU reports the guest
 * panicked, with its message). The run loop looks at {@link #stopRequested} after every exit, so
 * the vCPU does not run again after power-off or os-term.
 *
 * <p>Threads: set on the vCPU thread inside an RTAS call, read by the run loop (the same thread)
 * and by a monitor (volatile fields).
 */
public final class PseriesPower implements SystemRtasCalls.Machine {
    private volatile boolean poweredOff;
    private volatile boolean rebootRequested;
    private volatile String osTermMessage;
    private volatile long reboots;

    @Override
    public void powerOff() {
        poweredOff = true;
    }

    @Override
    public void reboot() {
        rebootRequested = true;
    }

    @Override
    public void osTerm(String message) {
        osTermMessage = message;
    }

    public boolean poweredOff() {
        return poweredOff;
    }

    public boolean rebootRequested() {
        return rebootRequested;
    }

    /** The ibm,os-term message, or null when the guest has not terminated. */
    public String osTermMessage() {
        return osTermMessage;
    }

    /** True once the guest powered off, terminated, or asked for a reboot. */
    public boolean stopRequested() {
        return poweredOff || rebootRequested || osTermMessage != null;
    }

    /** Resets done for system-reboot. */
    public long reboots() {
        return reboots;
    }

    void clearReboot() {
        if (rebootRequested) {
            reboots++;
        }
        rebootRequested = false;
    }
}
