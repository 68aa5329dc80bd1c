package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.*;

import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 28 (Linux arch/powerpc/kvm/book3s_64_vio.c): A TCE with neither R nor W clears the entry. A
 * mapping TCE whose address is misaligned, outside guest memory, or not pre-registered is
 * H_TOO_HARD (the VMM takes it).
 */
@DisplayName("Rule 28: a TCE without R/W clears; a mapping TCE misaligned, outside guest RAM or not pre-registered is H_TOO_HARD")
class SoftRule28TceValidation {
    private static final long L = SoftSpaprRig.LIOBN;

    @Test
    void aTceWithoutPermissionClearsTheEntryInBothTables() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice()) {
            d.setSpaprTce(rig.groupFd, t.fd());
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, L, 0x5000, 0x7000 | 3)[0]);
            assertEquals((rig.ram.address().value() + 0x7000) | 3, rig.hw32().get(5));
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, L, 0x5000, 0x7000)[0]); // address kept, no R/W
            assertEquals(0x7000, t.get(5));
            assertEquals(0, rig.hw32().get(5));
        }
    }

    @Test
    void misalignedOrOutsideGuestMemoryIsTooHardAndExitsWithTablesUntouched() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable()) {
            VcpuExit.PaprHcall e = Hcalls.exits(rig, H_PUT_TCE, L, 0x5000, 0x7800 | 3);
            assertEquals(H_PUT_TCE, e.nr());
            e.respond(H_PARAMETER);
            rig.vcpu.run();
            Hcalls.exits(rig, H_PUT_TCE, L, 0x5000, SoftSpaprRig.RAM_SIZE | 1).respond(H_PARAMETER);
            rig.vcpu.run();
            assertEquals(0, t.get(5));
            assertEquals(2, rig.vcpu.hcallExits());
        }
    }

    @Test
    void withALinkedTableMemoryThatIsNotPreRegisteredIsTooHard() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice()) {
            // unlinked: KVM keeps the guest view alone, pre-registration does not matter
            rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(rig.ram.address(), SoftSpaprRig.RAM_SIZE));
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(rig.ram.address(), 1 << 20)); // first MiB only
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, L, 0x1000, 0x200000 | 3)[0]);
            d.setSpaprTce(rig.groupFd, t.fd());
            Hcalls.exits(rig, H_PUT_TCE, L, 0x2000, 0x200000 | 3).respond(H_SUCCESS);
            rig.vcpu.run();
            assertEquals(0, rig.hw32().get(2));
            assertEquals(0, t.get(2));
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, L, 0x2000, 0x80000 | 1)[0]);
            assertEquals((rig.ram.address().value() + 0x80000) | 1, rig.hw32().get(2));
        }
    }
}
