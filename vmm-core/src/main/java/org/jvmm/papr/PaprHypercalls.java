package org.jvmm.papr;

import static org.jvmm.kvm.spapr.Papr.H_FUNCTION;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jvmm.dispatch.HypercallTable;
import org.jvmm.kvm.VcpuExit;

/**
 * The machine's one hypercall dispatch table (QEMU's papr_hypercall_table / kvmppc_hypercall_table
 * lookup in spapr_hypercall): hcall number -&gt; {@link Hypercall}. A number nobody registered is
 * H_FUNCTION. Each call's status and return values go into the exit's answer.
 *
 * <p>Thread rules: registration while the machine is built; dispatch from vCPU threads.
 */
public final class PaprHypercalls implements HypercallTable {
    private final Map<Long, Hypercall> table = new HashMap<>();
    private final Map<Long, LongAdder> counts = new HashMap<>();
    private final LongAdder unknown = new LongAdder();

    /** Registers {@code handler} for hcall {@code nr}; registering a number twice is a bug. */
    public synchronized void register(long nr, Hypercall handler) {
        if (table.putIfAbsent(nr, handler) != null) {
            throw new IllegalStateException("hcall 0x" + Long.toHexString(nr) + " registered twice");
        }
        counts.put(nr, new LongAdder());
    }

    /** Runs hcall {@code nr}: its status; {@code rets} receives r4 on. */
    public long call(long nr, long[] args, long[] rets) {
        Hypercall h;
        LongAdder c;
        synchronized (this) {
            h = table.get(nr);
            c = counts.get(nr);
        }
        if (h == null) {
            unknown.increment();
            return H_FUNCTION;
        }
        c.increment();
        return h.call(args, rets);
    }

    @Override
    public void dispatch(VcpuExit.PaprHcall exit) {
        long[] args = new long[9];
        for (int i = 0; i < exit.args().size() && i < args.length; i++) {
            args[i] = exit.arg(i);
        }
        long[] rets = args.clone(); // as QEMU, the handler's args and rets are one array: r4.. keep what is not returned
        long status = call(exit.nr(), args, rets);
        exit.respond(status, rets);
    }

    /** Calls of {@code nr} the VMM handled. */
    public synchronized long count(long nr) {
        LongAdder c = counts.get(nr);
        return c == null ? 0 : c.sum();
    }

    /** The hcall numbers registered (what the device tree's ibm,hypertas-functions is built from). */
    public synchronized java.util.Set<Long> registered() {
        return java.util.Set.copyOf(table.keySet());
    }

    /** Calls of numbers nobody registered (answered H_FUNCTION). */
    public long unknownCalls() {
        return unknown.sum();
    }
}
