package org.jvmm.qmp;

/**
 * A command's failure as QMP reports it: {@code {"error": {"class": ..., "desc": ...}}}. The
 * classes are QEMU's (qapi/error.json); the texts are QEMU 7.2's where QEMU has the same case.
 * Thrown by commands and by {@link MonitoredMachine} methods; the monitor turns it into the answer,
 * so it carries no stack trace.
 */
public final class QmpError extends RuntimeException {
    /** QEMU's error classes. */
    public enum ErrorClass {
        GenericError, CommandNotFound, DeviceNotFound, KVMMissingCap
    }

    private final ErrorClass errorClass;

    public QmpError(ErrorClass errorClass, String desc) {
        super(desc, null, false, false);
        this.errorClass = errorClass;
    }

    public static QmpError generic(String desc) {
        return new QmpError(ErrorClass.GenericError, desc);
    }

    /** QEMU's text for a command the monitor does not have (qmp-dispatch.c). */
    public static QmpError commandNotFound(String command) {
        return new QmpError(ErrorClass.CommandNotFound, "The command " + command + " has not been found");
    }

    /** QEMU's text for device_del of an unknown id (qdev-monitor.c). */
    public static QmpError deviceNotFound(String id) {
        return new QmpError(ErrorClass.DeviceNotFound, "Device '" + id + "' not found");
    }

    public ErrorClass errorClass() {
        return errorClass;
    }

    public String desc() {
        return getMessage();
    }
}
