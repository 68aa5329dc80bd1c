package org.jvmm.kvm.soft.ppc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.spapr.Papr;

/**
 * Drives the H_PUT_TCE loop guest (src/test/ppc-guest/tce.c) on a {@link SoftPpcMachine}: writes a
 * batch's parameter block at guest-physical 0x100000, runs the vCPU until the guest reports the
 * batch done (H_TEST_BATCH_DONE), answering every H_PUT_TCE that exits with the given VMM
 * function, and returns what the guest reported and which calls exited.
 */
final class TceLoopGuest {
    static final long PARAMS = 0x100000;
    static final long H_TEST_BATCH_DONE = 0xF003;

    /** What the guest said after a batch, and the H_PUT_TCE exits on the way (liobn, ioba, tce each). */
    record Batch(long ok, long lastStatus, long statusSum, long batches, List<long[]> exits) {
    }

    private TceLoopGuest() {
    }

    static void load(SoftPpcMachine m) {
        m.loadImage("tce");
    }

    static Batch run(SoftPpcMachine m, long liobn, long ioba, long iobaStep, long tce, long tceStep, long tceWrap,
            long count, ToLongFunction<VcpuExit.PaprHcall> vmm) {
        long[] fields = {liobn, ioba, iobaStep, tce, tceStep, tceWrap, count};
        for (int i = 0; i < fields.length; i++) {
            m.write64(PARAMS + 8L * i, fields[i]);
        }
        List<long[]> exits = new ArrayList<>();
        for (long guard = 0; guard < count + 10; guard++) {
            VcpuExit e = m.run();
            if (!(e instanceof VcpuExit.PaprHcall h)) {
                throw new AssertionError("unexpected exit " + e + " at " + m.cpu.pc());
            }
            if (h.nr() == H_TEST_BATCH_DONE) {
                h.respond(Papr.H_SUCCESS);
                return new Batch(h.arg(0), h.arg(1), h.arg(2), h.arg(3), exits);
            }
            assertEquals(Papr.H_PUT_TCE, h.nr(), "only H_PUT_TCE and the batch report leave the guest");
            exits.add(new long[] {h.arg(0), h.arg(1), h.arg(2)});
            h.respond(vmm.applyAsLong(h));
        }
        throw new AssertionError("the guest did not finish a batch of " + count);
    }

    /** A VMM that must never be asked. */
    static long noExitExpected(VcpuExit.PaprHcall h) {
        throw new AssertionError("H_PUT_TCE left the bridge: " + h);
    }
}
