package org.jvmm.qmp;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qtest.QtestSession;

/**
 * A pseries machine (64 MiB, no KVM needed) driven by a qtest session, with a QMP session on its
 * monitor past capabilities negotiation: what the pseries QMP tests share.
 */
final class PseriesQmp implements AutoCloseable {
    final PseriesMachine machine = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
    final QtestSession guest = new QtestSession(machine, new PrintStream(new ByteArrayOutputStream()));
    final QmpMonitor monitor = new QmpMonitor(new PseriesMonitored(machine, false), false, () -> { });
    /** Every line the monitor sent on the session since the last {@link #run}. */
    final List<String> lines = new ArrayList<>();
    final QmpMonitor.Session session = monitor.open(lines::add);

    PseriesQmp() {
        run("{\"execute\":\"qmp_capabilities\"}");
    }

    /** The monitor's last line in answer to {@code json}. */
    String run(String json) {
        lines.clear();
        monitor.input(session, json);
        return lines.get(lines.size() - 1);
    }

    @Override
    public void close() {
        machine.close();
    }
}
