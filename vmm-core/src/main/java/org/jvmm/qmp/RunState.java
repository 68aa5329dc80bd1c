package org.jvmm.qmp;

/** The run states query-status reports, spelled as QEMU's RunState enum (qapi/run-state.json). */
public enum RunState {
    /** Built with -S, never continued. */
    PRELAUNCH("prelaunch", false),
    RUNNING("running", true),
    /** Stopped by the stop command. */
    PAUSED("paused", false),
    /** The guest shut down or a quit is under way. */
    SHUTDOWN("shutdown", false);

    private final String qapiName;
    private final boolean running;

    RunState(String qapiName, boolean running) {
        this.qapiName = qapiName;
        this.running = running;
    }

    public String qapiName() {
        return qapiName;
    }

    public boolean running() {
        return running;
    }
}
