package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.*;

import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 27 (Linux arch/powerpc/kvm/book3s_64_vio.c): ioba validation: misaligned ioba, index below
 * the window offset, index - offset + npages > size, or wraparound are H_PARAMETER.
 */
@DisplayName("Rule 27: a misaligned ioba, an index below the window offset, past its end, or wrapping is H_PARAMETER")
class SoftRule27IobaValidation {
    private static final long LIOBN = 0x8000_0002L;

    @Test
    void iobaOutsideTheWindowOrMisalignedIsHParameterInTheBridge() {
        try (SoftSpaprRig rig = new SoftSpaprRig();
                KvmTceTable t = rig.vm.createSpaprTce64(new SpaprTceCreate64(LIOBN, 16, 0, 0x100, 0x10))) {
            // window: bus pages 0x100..0x10f of 64 KiB = [0x1000000, 0x1100000)
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_PUT_TCE, LIOBN, 0x1000000 + 0x1000, 0)[0]);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_PUT_TCE, LIOBN, 0x0ff0000, 0)[0]);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_PUT_TCE, LIOBN, 0x1100000, 0)[0]);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_GET_TCE, LIOBN, 0x1100000)[0]);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_STUFF_TCE, LIOBN, 0x10f0000, 0, 2)[0]);
            assertEquals(H_PARAMETER, Hcalls.inBridge(rig, H_STUFF_TCE, LIOBN, 0x1000000, 0, -1L)[0]);
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_STUFF_TCE, LIOBN, 0x1000000, 0, 0x10)[0]);
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, LIOBN, 0x10f0000, 0x20000 | 1)[0]);
            assertEquals(0x20001, t.get(0xf));
        }
    }

    @Test
    void theValidationIsThePureFunctionKvmppcIobaValidate() {
        try (SoftSpaprRig rig = new SoftSpaprRig();
                KvmTceTable t = rig.vm.createSpaprTce64(new SpaprTceCreate64(LIOBN, 12, 0, 4, 8))) {
            assertEquals(H_SUCCESS, SpaprTceFastPath.validateIoba(t, 4 << 12, 8));
            assertEquals(H_PARAMETER, SpaprTceFastPath.validateIoba(t, 4 << 12, 9));
            assertEquals(H_PARAMETER, SpaprTceFastPath.validateIoba(t, (4 << 12) + 8, 1));
            assertEquals(H_PARAMETER, SpaprTceFastPath.validateIoba(t, 3 << 12, 1));
            assertEquals(H_PARAMETER, SpaprTceFastPath.validateIoba(t, -4096L, 2));
        }
    }
}
