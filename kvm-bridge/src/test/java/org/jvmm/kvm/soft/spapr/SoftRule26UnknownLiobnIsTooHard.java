package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.jvmm.kvm.spapr.Papr.*;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jvmm.kvm.VcpuExit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 26 (Linux arch/powerpc/kvm/book3s_64_vio.c): An LIOBN KVM does not know is H_TOO_HARD: the
 * call goes to user space (the VMM).
 */
@DisplayName("Rule 26: a TCE hcall for an LIOBN KVM does not know is H_TOO_HARD and exits to the VMM with its arguments")
class SoftRule26UnknownLiobnIsTooHard {

    @Test
    void everyTceHcallForAnUnknownLiobnExitsAndTheVmmsAnswerReachesTheCpu() {
        try (SoftSpaprRig rig = new SoftSpaprRig()) {
            long[][] calls = {
                {H_PUT_TCE, 0x8000_0001L, 0x1000, 0x3},
                {H_GET_TCE, 0x8000_0001L, 0x1000},
                {H_STUFF_TCE, 0x8000_0001L, 0x1000, 0, 4},
                {H_PUT_TCE_INDIRECT, 0x8000_0001L, 0x1000, 0x2000, 4},
            };
            for (long[] c : calls) {
                long[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
                CompletableFuture<long[]> f = rig.cpu.hcall(c[0], args);
                VcpuExit.PaprHcall exit = assertInstanceOf(VcpuExit.PaprHcall.class, rig.vcpu.run());
                assertEquals(c[0], exit.nr());
                assertEquals(java.util.Arrays.stream(args).boxed().toList(), exit.args());
                exit.respond(H_PARAMETER, 0x77);
                assertInstanceOf(VcpuExit.Halt.class, rig.vcpu.run());
                assertEquals(H_PARAMETER, f.join()[0]);
                assertEquals(0x77, f.join()[1]);
            }
            assertEquals(4, rig.vcpu.hcallExits());
            assertEquals(0, rig.cpu.fastPathHypercalls());
        }
    }

    @Test
    void anHcallKvmDoesNotImplementExitsToo() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable()) {
            VcpuExit.PaprHcall exit = Hcalls.exits(rig, KVMPPC_H_RTAS, 0x1000);
            assertEquals(List.of(0x1000L), exit.args());
        }
    }

    @Test
    void aKnownLiobnStaysInTheBridge() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable()) {
            // r3 = status; r4.. keep the arguments (the fast path returns nothing for H_PUT_TCE)
            assertArrayEquals(new long[] {H_SUCCESS, SoftSpaprRig.LIOBN, 0x1000, 0x3003, 0, 0, 0, 0, 0, 0},
                    Hcalls.inBridge(rig, H_PUT_TCE, SoftSpaprRig.LIOBN, 0x1000, 0x3000 | 3));
            assertEquals(0x3003, t.get(1));
        }
    }
}
