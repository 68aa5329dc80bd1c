package org.jvmm.qmp;

import java.util.List;
import java.util.Map;

/**
 * A monitored machine with nothing in it: the mandatory answers only, no KVM, no devices, no exits.
 * Tests extend it for the one thing they serve (a display, say) or use it as it is.
 */
public class BareMachine implements MonitoredMachine {
    private final String type;

    public BareMachine(String type) {
        this.type = type;
    }

    @Override public String type() { return type; }
    @Override public boolean kvm() { return false; }
    @Override public void pause() { }
    @Override public void resume() { }
    @Override public void reset() { }
    @Override public Object queryPci() { return List.of(); }
    @Override public String infoMtree(boolean flat) { return ""; }
    @Override public String infoPci() { return ""; }
    @Override public String infoIommu() { return ""; }
    @Override public Object queryIommu() { return List.of(); }
    @Override public Object queryFaults() { return List.of(); }
    @Override public Object queryExits() { return Map.of("total", 0, "by-kind", Map.of()); }
}
