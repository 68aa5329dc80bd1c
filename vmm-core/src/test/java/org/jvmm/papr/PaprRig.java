package org.jvmm.papr;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.hw.spapr.SpaprTceTable;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.memory.IommuEvent;
import org.jvmm.memory.IommuRegion;

/** A pseries machine without devices (no KVM tables: the VMM handles every TCE call), with a notifier log on window 0. */
final class PaprRig implements AutoCloseable {
    static final long LIOBN = 0x8000_0000L;
    final PowerHost host = PowerHost.create();
    final PseriesMachine m = PseriesMachine.create(host.platform(), 16L << 20, false);
    final List<IommuEvent> events = new ArrayList<>();
    private final IommuRegion.Registration reg;

    PaprRig() {
        reg = table().region().addNotifier(EnumSet.allOf(IommuEvent.Type.class), new Iova(0), new Iova((1L << 30) - 1),
                events::add);
    }

    SpaprTceTable table() {
        return m.phb().table(0);
    }

    long call(long nr, long... args) {
        long[] a = new long[9];
        System.arraycopy(args, 0, a, 0, args.length);
        return m.hypercalls().call(nr, a, rets);
    }

    final long[] rets = new long[9];

    /** Writes big-endian 32-bit cells at {@code at} in guest RAM. */
    void cells(long at, long... values) {
        for (int i = 0; i < values.length; i++) {
            m.systemMemory().write(new GuestAddress(at + 4L * i), 4, values[i]);
        }
    }

    long cell(long at) {
        return m.systemMemory().read(new GuestAddress(at), 4);
    }

    @Override
    public void close() {
        reg.close();
        m.close();
    }
}
