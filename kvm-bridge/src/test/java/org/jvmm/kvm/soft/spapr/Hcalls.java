package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.jvmm.kvm.VcpuExit;

/** Runs scripted hypercalls on a rig's vCPU. */
final class Hcalls {
    private Hcalls() {
    }

    /** Issues the hcall and expects the bridge to complete it with no exit: r3..r12 after the call. */
    static long[] inBridge(SoftSpaprRig rig, long nr, long... args) {
        CompletableFuture<long[]> f = rig.cpu.hcall(nr, args);
        long exitsBefore = rig.vcpu.hcallExits();
        assertInstanceOf(VcpuExit.Halt.class, rig.vcpu.run(), "the call should complete without an exit");
        assertEquals(exitsBefore, rig.vcpu.hcallExits());
        assertTrue(f.isDone());
        return f.join();
    }

    /** Issues the hcall and expects a PAPR_HCALL exit: the exit (unanswered). */
    static VcpuExit.PaprHcall exits(SoftSpaprRig rig, long nr, long... args) {
        rig.cpu.hcall(nr, args);
        return assertInstanceOf(VcpuExit.PaprHcall.class, rig.vcpu.run());
    }
}
