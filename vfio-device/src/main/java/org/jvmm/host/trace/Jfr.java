package org.jvmm.host.trace;

import jdk.jfr.FlightRecorder;

/**
 * Whether Java Flight Recorder has started in this JVM, asked before a trace event is made.
 *
 * <p>The first load of a {@code jdk.jfr.Event} class sets up the recorder's Java side (about a
 * hundred classes and 0.1 to 0.3 s of a {@code ./vmm} run), recording or not. Until the recorder
 * has started (with {@code -XX:StartFlightRecording}, {@code jcmd PID JFR.start} or a
 * {@code jdk.jfr.Recording}) no event can be enabled, so the emitters make none and load no event
 * class. Once it has, this answers true (a volatile read) and the events work as before.
 */
public final class Jfr {
    private Jfr() {
    }

    /** True once the JVM's flight recorder has been initialised, when events can be recorded. */
    public static boolean started() {
        return FlightRecorder.isInitialized();
    }
}
